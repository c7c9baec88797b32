package app.threefold.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestDatabase.class)
class DevicesTest {
    @TempDir
    Path tmp;
    Devices devices;
    Catalog catalog;

    @BeforeEach
    void setUp(Catalog catalog) {
        this.catalog = catalog;
        devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), Clock.systemUTC());
    }

    private String keygen(String type, int bits) throws Exception {
        Path key = tmp.resolve(type + bits);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-b", String.valueOf(bits), "-N", "", "-C", "me@laptop",
                "-f", key.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        return Files.readString(key.resolveSibling(key.getFileName() + ".pub")).strip();
    }

    private String sshKeygenFingerprint(String line) throws Exception {
        Path pub = Files.writeString(tmp.resolve("k.pub"), line + "\n");
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", pub.toString()).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.split(" ")[1];
    }

    @Test
    void aDeviceWithAPasswordLogsInWithItAndNotWithAnother() {
        devices.create("anna-laptop", "correct horse".toCharArray(), null);

        assertThat(devices.authenticateByPassword("anna-laptop", "correct horse".toCharArray())).isTrue();
        assertThat(devices.authenticateByPassword("anna-laptop", "wrong horse".toCharArray())).isFalse();
        assertThat(devices.authenticateByPassword("nobody", "correct horse".toCharArray())).isFalse();
        devices.setEnabled("anna-laptop", false);
        assertThat(devices.authenticateByPassword("anna-laptop", "correct horse".toCharArray())).isFalse();
    }

    @Test
    void keysOfEveryAcceptedKindAreFingerprintedAsOpenSshDoes() throws Exception {
        String ed = keygen("ed25519", 256);
        String ec = keygen("ecdsa", 384);
        String rsa = keygen("rsa", 3072);
        Device d = devices.create("desktop", null, ed);
        devices.addKey("desktop", ec);
        d = devices.addKey("desktop", rsa);

        assertThat(d.hasPassword()).isFalse();
        assertThat(d.keyFingerprints()).containsExactly(sshKeygenFingerprint(ed), sshKeygenFingerprint(ec), sshKeygenFingerprint(rsa));
        assertThat(devices.authenticateByKey("desktop", sshKeygenFingerprint(rsa))).isTrue();
        assertThat(devices.authenticateByKey("other", sshKeygenFingerprint(rsa))).isFalse();
        assertThat(devices.authenticateByPassword("desktop", "".toCharArray())).isFalse();
    }

    @Test
    void badInputIsRefusedWithAClearMessageAndCreatesNothing() throws Exception {
        assertThatThrownBy(() -> devices.create("../etc", "long enough".toCharArray(), null)).hasMessageContaining("Invalid device name");
        assertThatThrownBy(() -> devices.create("phone", "short".toCharArray(), null)).hasMessageContaining("too short");
        assertThatThrownBy(() -> devices.create("phone", null, null)).hasMessageContaining("password, a public key");
        assertThatThrownBy(() -> devices.create("phone", null, keygen("rsa", 1024))).hasMessageContaining("1024 bits");
        assertThatThrownBy(() -> devices.create("phone", null, "ssh-dss AAAAB3NzaC1kc3MAAACBAP")).isInstanceOf(DeviceException.class);
        assertThatThrownBy(() -> devices.create("phone", null, "ssh-ed25519 !!!")).hasMessageContaining("base64");
        devices.create("phone", "long enough".toCharArray(), null);
        assertThatThrownBy(() -> devices.create("phone", "long enough".toCharArray(), null)).hasMessageContaining("already exists");

        assertThat(devices.list()).extracting(Device::name).containsExactly("phone");
    }

    @Test
    void quotaCountsTheBytesADeviceAddsAndAuditRowsAreWritten() {
        devices.create("tablet", "long enough".toCharArray(), null);
        assertThat(devices.find("tablet").orElseThrow().quotaLeft()).isEqualTo(Long.MAX_VALUE);
        devices.setQuota("tablet", 1000);
        devices.addBytes("tablet", 300);
        devices.audit("tablet", "sftp.login", Map.of("address", "127.0.0.1"));

        assertThat(devices.find("tablet").orElseThrow().quotaLeft()).isEqualTo(700);
        java.util.List<String> actions = catalog.jdbi().withHandle(h -> h.createQuery("SELECT action FROM audit_log ORDER BY id")
                .mapTo(String.class).list());
        assertThat(actions).containsExactly("device.added", "sftp.login");
    }

    @Test
    void aDeletedDeviceCannotLogInLosesItsMembersAndIsArchivedUntilItsNameIsAddedAgain() throws Exception {
        String key = keygen("ed25519", 256);
        devices.create("old-pc", "long enough".toCharArray(), key);
        long member = catalog.jdbi().withHandle(h -> h.createUpdate(
                        "INSERT INTO admin_users (name, password_hash, created, role) VALUES ('kid', 'x', now(), 'member')")
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        catalog.jdbi().useHandle(h -> h.execute("INSERT INTO member_devices (user_id, device) VALUES (?, 'old-pc')", member));
        catalog.jdbi().useHandle(h -> h.execute(
                "INSERT INTO snapshots (id, device, time, tree) VALUES ('\\x01', 'old-pc', now(), '\\x02')"));

        devices.delete("old-pc", "alice");

        assertThat(devices.authenticateByPassword("old-pc", "long enough".toCharArray())).isFalse();
        assertThat(devices.authenticateByKey("old-pc", AuthorizedKey.parse(key).fingerprint())).isFalse();
        assertThat(devices.find("old-pc")).isEmpty();
        assertThat(archived()).containsExactly("old-pc");
        assertThat(devices.snapshots("old-pc")).hasSize(1);
        long assigned = catalog.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM member_devices").mapTo(Long.class).one());
        assertThat(assigned).isZero();
        assertThatThrownBy(() -> devices.delete("old-pc", "alice")).isInstanceOf(UnknownDeviceException.class);

        devices.create("old-pc", "a new password".toCharArray(), null);
        assertThat(archived()).isEmpty();
        assertThat(devices.snapshots("old-pc")).hasSize(1);
        assertThat(devices.authenticateByKey("old-pc", AuthorizedKey.parse(key).fingerprint())).isFalse();
    }

    @Test
    void addingADeviceThatAlreadyBacksUpAgainSaysItExistsNotThatItsSnapshotsAreAFolderOfTheNas() {
        devices.create("laptop", "long enough".toCharArray(), null);
        catalog.jdbi().useHandle(h -> h.execute(
                "INSERT INTO snapshots (id, device, time, tree) VALUES ('\\x01', 'laptop', now(), '\\x02')"));

        assertThatThrownBy(() -> devices.create("laptop", "long enough".toCharArray(), null))
                .isInstanceOf(DeviceException.class)
                .hasMessage("A device named 'laptop' already exists; choose another name.");
        assertThat(devices.list()).extracting(Device::name).containsExactly("laptop");
    }

    private java.util.List<String> archived() {
        return catalog.jdbi().withHandle(h -> h.createQuery("SELECT name FROM archived_devices").mapTo(String.class).list());
    }

    @Test
    void aChangeIsAppliedWholeOrNotAtAll() throws Exception {
        String key = keygen("ed25519", 256);
        devices.create("desk", "long enough".toCharArray(), null);

        assertThatThrownBy(() -> devices.change("desk", new DeviceChange(new char[0], java.util.List.of("ssh-rsa AAAA"), 5L, false)))
                .isInstanceOf(DeviceException.class);
        assertThatThrownBy(() -> devices.change("desk", new DeviceChange(new char[0], java.util.List.of(), null, null)))
                .isInstanceOf(LastLoginMethodException.class).hasMessageContaining("remove every key");
        Device unchanged = devices.find("desk").orElseThrow();
        assertThat(unchanged.hasPassword()).isTrue();
        assertThat(unchanged.enabled()).isTrue();
        assertThat(unchanged.quotaBytes()).isZero();

        Device changed = devices.change("desk", new DeviceChange(new char[0], java.util.List.of(key), 5_000_000L, false));
        assertThat(changed.hasPassword()).isFalse();
        assertThat(changed.keyFingerprints()).containsExactly(AuthorizedKey.parse(key).fingerprint());
        assertThat(changed.quotaBytes()).isEqualTo(5_000_000L);
        assertThat(changed.enabled()).isFalse();
    }

    @Test
    void aDeviceKeepsAtLeastOneWayToLogIn() throws Exception {
        String key = keygen("ed25519", 256);
        devices.create("phone", "long enough".toCharArray(), null);

        assertThatThrownBy(() -> devices.setPassword("phone", null)).isInstanceOf(LastLoginMethodException.class)
                .hasMessageContaining("neither a password nor a key");
        assertThatThrownBy(() -> devices.setPassword("phone", "short".toCharArray())).hasMessageContaining("too short");
        assertThat(devices.authenticateByPassword("phone", "long enough".toCharArray())).isTrue();

        devices.setPassword("phone", "another password".toCharArray());
        assertThat(devices.authenticateByPassword("phone", "long enough".toCharArray())).isFalse();
        assertThat(devices.authenticateByPassword("phone", "another password".toCharArray())).isTrue();

        String fingerprint = devices.addKey("phone", key).keyFingerprints().get(0);
        assertThat(devices.setPassword("phone", new char[0]).hasPassword()).isFalse();
        assertThatThrownBy(() -> devices.removeKey("phone", fingerprint)).isInstanceOf(LastLoginMethodException.class);
        assertThatThrownBy(() -> devices.removeKey("phone", "SHA256:nope")).hasMessageContaining("has no key");
        assertThatThrownBy(() -> devices.setPassword("nobody", null)).isInstanceOf(UnknownDeviceException.class);

        devices.setPassword("phone", "long enough".toCharArray());
        assertThat(devices.removeKey("phone", fingerprint).keyFingerprints()).isEmpty();
        assertThat(devices.authenticateByKey("phone", fingerprint)).isFalse();
    }
}
