package app.threefold.backend;

/** Streamed uploads with the SDK's flexible checksums: how AWS S3 receives objects above 32 MiB. */
class S3BackendStreamedFlexibleChecksumsTest extends S3BackendStreamedTest {

    @Override
    S3Settings settings(String bucket) {
        return super.settings(bucket).withChecksums(S3Settings.Checksums.WHEN_SUPPORTED);
    }
}
