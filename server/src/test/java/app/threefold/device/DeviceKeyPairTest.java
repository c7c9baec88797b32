package app.threefold.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pair made for a device is one OpenSSH itself reads: ssh-keygen derives the same public key from the private file. */
class DeviceKeyPairTest {
    @TempDir
    Path tmp;

    @Test
    void opensshReadsThePrivateKeyAndDerivesThePublicKeyLine() throws Exception {
        DeviceKeyPair pair = DeviceKeyPair.generate(new SecureRandom(), "threefold laptop");
        Path key = tmp.resolve("id");
        Files.writeString(key, pair.privateKey());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));

        Process p = new ProcessBuilder("ssh-keygen", "-y", "-f", key.toString()).redirectErrorStream(true).start();
        String derived = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();

        assertThat(p.waitFor()).as(derived).isZero();
        assertThat(pair.publicKey()).startsWith(derived).endsWith(" threefold laptop");
        assertThat(AuthorizedKey.parse(pair.publicKey()).fingerprint()).startsWith("SHA256:");
        assertThat(pair.toString()).doesNotContain("PRIVATE");
    }

    @Test
    void twoPairsDiffer() {
        SecureRandom random = new SecureRandom();
        assertThat(DeviceKeyPair.generate(random, "a").publicKey()).isNotEqualTo(DeviceKeyPair.generate(random, "a").publicKey());
    }
}
