package app.threefold.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The contract with the SDK's flexible checksums on every request, as for AWS S3 itself. */
class S3BackendFlexibleChecksumsTest extends S3BackendContract {

    @Override
    S3Settings settings(String bucket) {
        return super.settings(bucket).withChecksums(S3Settings.Checksums.WHEN_SUPPORTED);
    }

    @Test
    void the_backend_under_test_sends_flexible_checksums() {
        assertThat(((S3Backend) backend).settings().checksums()).isEqualTo(S3Settings.Checksums.WHEN_SUPPORTED);
    }
}
