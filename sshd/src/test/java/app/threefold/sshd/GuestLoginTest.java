package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.PasswordHasher;
import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.login.LoginThrottle;
import app.threefold.overlay.DeviceSessions;
import app.threefold.peer.Guests;
import app.threefold.peer.PairingCode;
import app.threefold.peer.PairingMessages.Request;
import app.threefold.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest's public key is no secret: offering it without its private key, then logging in as a
 * device of the same name with the device's password, must give the device's files, never the
 * guest's folder.
 */
class GuestLoginTest {

    @TempDir
    Path tmp;

    @Test
    void aGuestsPublicKeyOfferedBeforeADevicesPasswordLeavesTheSessionADevicesOne() throws Exception {
        Clock clock = Clock.systemUTC();
        Path dataDir = Files.createDirectories(tmp.resolve("data"));
        try (TestDatabase.Database db = TestDatabase.create(); Catalog catalog = db.openCatalog()) {
            Engine engine = Engine.create(dataDir, "recovery kit password".toCharArray(), catalog, clock);
            Devices devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), clock);
            DeviceSessions sessions = new DeviceSessions(engine, catalog, devices, dataDir.resolve("sftp-sessions"), clock,
                    DeviceSessions.Limits.DEFAULT);
            Guests guests = new Guests(catalog.jdbi(), new AuditLog(catalog.jdbi(), clock), new Settings(catalog.jdbi()), dataDir,
                    clock, new SecureRandom(), () -> "SHA256:x");
            KeyPair guestKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
            String token = PairingCode.parse(guests.invite("Sam's NAS", "127.0.0.1", 2222, 1_000_000, Duration.ofDays(1), "admin")
                    .code()).token();
            String user = guests.redeem(token, new Request(PublicKeyEntry.toString(guestKey.getPublic()), "Alex's NAS", null),
                    "127.0.0.1").user();
            Files.writeString(guests.folder(user).resolve("guest-only-file"), "A's ciphertext");
            devices.create("admin", user, "device password".toCharArray(), null);

            try (SftpServer server = SftpServer.start(new SftpServer.Settings("127.0.0.1", 0, dataDir), devices, sessions,
                    new LoginThrottle(clock), guests); SshClient client = SshClient.setUpDefaultClient()) {
                client.start();
                // The guest's public key with another private key: the signature cannot be right.
                KeyPair other = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
                try (ClientSession session = client.connect(user, "127.0.0.1", server.port()).verify(Duration.ofSeconds(10)).getSession()) {
                    session.addPublicKeyIdentity(new KeyPair(guestKey.getPublic(), other.getPrivate()));
                    session.addPasswordIdentity("device password");
                    session.auth().verify(Duration.ofSeconds(10));
                    try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                        List<String> names = new ArrayList<>();
                        sftp.readDir("/").forEach(e -> names.add(e.getFilename()));
                        assertThat(names).doesNotContain("guest-only-file");
                    }
                }
                // The guest itself, with its key, sees its folder.
                try (ClientSession session = client.connect(user, "127.0.0.1", server.port()).verify(Duration.ofSeconds(10)).getSession()) {
                    session.addPublicKeyIdentity(guestKey);
                    session.auth().verify(Duration.ofSeconds(10));
                    try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                        List<String> names = new ArrayList<>();
                        sftp.readDir("/").forEach(e -> names.add(e.getFilename()));
                        assertThat(names).contains("guest-only-file");
                    }
                }
            } finally {
                sessions.close();
                engine.close();
            }
        }
    }
}
