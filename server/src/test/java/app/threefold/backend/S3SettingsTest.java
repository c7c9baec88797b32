package app.threefold.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class S3SettingsTest {

    @Test
    void aws_gets_virtual_host_addressing_and_flexible_checksums_by_default() {
        S3Settings aws = S3Settings.of(URI.create("https://s3.eu-west-1.amazonaws.com"), "eu-west-1", "family-backup",
                "nas", "AKIA", "secret");

        assertThat(aws.pathStyle()).isFalse();
        assertThat(aws.checksums()).isEqualTo(S3Settings.Checksums.WHEN_SUPPORTED);
    }

    @Test
    void every_other_server_gets_path_style_and_checksums_only_where_required_by_default() {
        for (String endpoint : new String[] {"https://s3.eu-central-003.backblazeb2.com", "https://s3.wasabisys.com",
                "http://192.168.1.20:9000", "http://garage.lan:3900"}) {
            S3Settings settings = S3Settings.of(URI.create(endpoint), "us-east-1", "family-backup", "", "k", "s");

            assertThat(settings.pathStyle()).as(endpoint).isTrue();
            assertThat(settings.checksums()).as(endpoint).isEqualTo(S3Settings.Checksums.WHEN_REQUIRED);
        }
    }

    @Test
    void the_restic_repository_name_opens_the_same_place() {
        S3Settings settings = S3Settings.of(URI.create("http://127.0.0.1:9000/"), "us-east-1", "bucket", "/homes/nas/",
                "k", "s");

        assertThat(settings.prefix()).isEqualTo("homes/nas");
        assertThat(settings.resticRepository()).isEqualTo("s3:http://127.0.0.1:9000/bucket/homes/nas");
        assertThat(settings.key("keys/abc")).isEqualTo("homes/nas/keys/abc");
        assertThat(S3Settings.of(URI.create("http://127.0.0.1:9000"), "us-east-1", "bucket", "", "k", "s")
                .resticRepository()).isEqualTo("s3:http://127.0.0.1:9000/bucket");
    }

    @Test
    void the_secret_never_shows_in_the_settings_text() {
        S3Settings settings = S3Settings.of(URI.create("http://127.0.0.1:9000"), "us-east-1", "bucket", "p",
                "the-key", "very-secret-value");

        assertThat(settings.toString()).contains("the-key").doesNotContain("very-secret-value");
    }

    @Test
    void settings_that_cannot_work_are_refused_with_the_reason() {
        assertThatThrownBy(() -> S3Settings.of(URI.create("ftp://host"), "r", "bucket", "", "k", "s"))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> S3Settings.of(URI.create("http://host/bucket"), "r", "bucket", "", "k", "s"))
                .hasMessageContaining("give the bucket and the folder inside it separately");
        assertThatThrownBy(() -> S3Settings.of(URI.create("http://host"), "r", "my/bucket", "", "k", "s"))
                .hasMessageContaining("not a valid S3 bucket name");
        assertThatThrownBy(() -> S3Settings.of(URI.create("http://host"), " ", "bucket", "", "k", "s"))
                .hasMessageContaining("region");
        assertThatThrownBy(() -> S3Settings.of(URI.create("http://host"), "r", "bucket", "", "", "s"))
                .hasMessageContaining("access key");
    }
}
