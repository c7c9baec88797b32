package app.threefold.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Locations read as restic reads its {@code -r}: the same text opens the same copy in both programs. */
class LocationTest {
    static final Map<String, String> KEYS = Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI");

    @Test
    void anHttpEndpointWithPortBucketAndPrefixIsReadAsResticReadsIt() {
        S3Settings s = s3("s3:http://127.0.0.1:9000/family/homes/nas", KEYS);

        assertThat(s.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(s.bucket()).isEqualTo("family");
        assertThat(s.prefix()).isEqualTo("homes/nas");
        assertThat(s.accessKey()).isEqualTo("AKIDEXAMPLE");
        assertThat(s.secretKey()).isEqualTo("wJalrXUtnFEMI");
        assertThat(s.region()).isEqualTo("us-east-1");
        assertThat(s.pathStyle()).as("path style for a server on an IP address, as restic's client picks").isTrue();
        assertThat(s.resticRepository()).isEqualTo("s3:http://127.0.0.1:9000/family/homes/nas");
    }

    @Test
    void aHostWithoutSchemeMeansHttpsAsInRestic() {
        S3Settings b2 = s3("s3:s3.eu-central-003.backblazeb2.com/family-backup/nas", KEYS);
        S3Settings aws = s3("s3:s3.amazonaws.com/family-backup", Map.of("AWS_ACCESS_KEY_ID", "k",
                "AWS_SECRET_ACCESS_KEY", "s", "AWS_DEFAULT_REGION", "eu-west-1"));

        assertThat(b2.endpoint()).isEqualTo(URI.create("https://s3.eu-central-003.backblazeb2.com"));
        assertThat(b2.bucket()).isEqualTo("family-backup");
        assertThat(b2.prefix()).isEqualTo("nas");
        assertThat(b2.pathStyle()).isTrue();
        assertThat(aws.endpoint()).isEqualTo(URI.create("https://s3.amazonaws.com"));
        assertThat(aws.prefix()).isEmpty();
        assertThat(aws.region()).isEqualTo("eu-west-1");
        assertThat(aws.pathStyle()).as("AWS gets virtual-host addressing, as restic's client picks").isFalse();
    }

    @Test
    void anythingElseIsAFolder() {
        assertThat(Location.parse("/mnt/usb/threefold", Map.of())).isEqualTo(new Location.Folder(Path.of("/mnt/usb/threefold")));
        assertThat(Location.parse("relative/copy", Map.of())).isEqualTo(new Location.Folder(Path.of("relative/copy")));
    }

    @Test
    void missingCredentialsSayWhichVariablesToSet() {
        assertThatThrownBy(() -> Location.parse("s3:http://127.0.0.1:9000/b-1/p", Map.of("AWS_ACCESS_KEY_ID", "k")))
                .isInstanceOf(InvalidLocationException.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID").hasMessageContaining("AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void aLocationWithoutBucketOrHostOrWithABadBucketNameIsRefusedWithTheFormToUse() {
        assertThatThrownBy(() -> Location.parse("s3:http://127.0.0.1:9000", KEYS))
                .isInstanceOf(InvalidLocationException.class).hasMessageContaining("no bucket");
        assertThatThrownBy(() -> Location.parse("s3:/bucket/prefix", KEYS))
                .isInstanceOf(InvalidLocationException.class).hasMessageContaining("no server");
        assertThatThrownBy(() -> Location.parse("s3:http://127.0.0.1:9000/a/prefix", KEYS))
                .isInstanceOf(InvalidLocationException.class).hasMessageContaining("bucket name");
    }

    @Test
    void aKeyAndSecretTypedIntoTheAddressAreRefusedAndNotEchoed() {
        assertThatThrownBy(() -> Location.parse("s3:https://AKID:topsecret@s3.example.com/bucket", KEYS))
                .isInstanceOf(InvalidLocationException.class)
                .hasMessageContaining("AWS_ACCESS_KEY_ID")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void otherKindsOfRepositorySayWhatThisBuildReads() {
        assertThatThrownBy(() -> Location.parse("rest:http://host:8000/", Map.of()))
                .isInstanceOf(InvalidLocationException.class).hasMessageContaining("folders, S3 buckets and SFTP servers");
    }

    @Test
    void anSftpLocationIsReadWithItsPortAndPathAndPinnedHostKey() {
        Location.SftpAccess access = new Location.SftpAccess(HOST_KEY, Path.of("/keys/id_ed25519"), null,
                SftpBackends.NONE);

        Location location = Location.parse("sftp://guest-1a2b3c4d@nas.example.net:2222/", Map.of(), access);

        SftpSettings settings = ((Location.Sftp) location).settings();
        assertThat(settings.user()).isEqualTo("guest-1a2b3c4d");
        assertThat(settings.host()).isEqualTo("nas.example.net");
        assertThat(settings.port()).isEqualTo(2222);
        assertThat(settings.path()).isEmpty();
        assertThat(settings.hostKey()).isEqualTo(HOST_KEY);
        assertThat(location.display()).isEqualTo("sftp://guest-1a2b3c4d@nas.example.net:2222/");
        assertThat(((Location.Sftp) Location.parse("sftp://me@[::1]:22//srv/copy", Map.of(), access)).settings().path())
                .isEqualTo("/srv/copy");
    }

    @Test
    void anSftpLocationWithoutAHostKeyOrAKeyIsRefusedWithWhatToGive() {
        assertThatThrownBy(() -> Location.parse("sftp://me@nas:2222/", Map.of()))
                .isInstanceOf(InvalidLocationException.class).hasMessageContaining("--host-key");
        assertThatThrownBy(() -> Location.parse("sftp://me@nas:2222/", Map.of(),
                new Location.SftpAccess(HOST_KEY, null, null, SftpBackends.NONE)))
                .isInstanceOf(InvalidLocationException.class).hasMessageContaining("--key FILE");
        assertThatThrownBy(() -> Location.parse("sftp://me@nas:2222/", Map.of(),
                new Location.SftpAccess("SHA256:short", Path.of("/k"), null, SftpBackends.NONE)))
                .isInstanceOf(InvalidLocationException.class).hasMessageContaining("SHA256 fingerprint");
        assertThatThrownBy(() -> Location.parse("sftp://nas:2222/", Map.of(),
                new Location.SftpAccess(HOST_KEY, Path.of("/k"), null, SftpBackends.NONE)))
                .isInstanceOf(InvalidLocationException.class).hasMessageContaining("names no user");
    }

    @Test
    void theSecretIsNeverPartOfHowALocationPrintsItself() {
        Location location = Location.parse("s3:http://127.0.0.1:9000/family/nas", KEYS);

        assertThat(location.display()).isEqualTo("s3:http://127.0.0.1:9000/family/nas");
        assertThat(location.toString()).doesNotContain("wJalrXUtnFEMI");
    }

    private static final String HOST_KEY = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

    private static S3Settings s3(String text, Map<String, String> env) {
        assertThat(Location.parse(text, env)).isInstanceOf(Location.S3.class);
        return ((Location.S3) Location.parse(text, env)).settings();
    }
}
