package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.account.PasswordHasher;
import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.login.LoginThrottle;
import app.threefold.overlay.DeviceSessions;
import app.threefold.peer.Guests;
import app.threefold.peer.PairingCode;
import app.threefold.peer.PairingMessages.Request;
import app.threefold.settings.Settings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Set;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest's SFTP requests against B's own use of the guest folder: whatever modes a guest asks
 * for, B's server keeps reading, measuring and deleting what is there (the appliance does not run
 * as root, so a mode is what stands in its way; the tests look at the modes on the disk).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuestRulesTest {
    private static final Set<PosixFilePermission> OWNER_RW = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    private final TestClock clock = new TestClock(Instant.parse("2026-12-07T10:00:00Z"));
    private TestDatabase.Database db;
    private Catalog catalog;
    private Engine engine;
    private DeviceSessions sessions;
    private SftpServer server;
    private SshClient client;
    Guests guests;
    private KeyPair guestKey;
    String user;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        Path dataDir = Files.createDirectories(tmp.resolve("data"));
        db = TestDatabase.create();
        catalog = db.openCatalog();
        engine = Engine.create(dataDir, "recovery kit password".toCharArray(), catalog, clock);
        Devices devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), clock);
        sessions = new DeviceSessions(engine, catalog, devices, dataDir.resolve("sftp-sessions"), clock, DeviceSessions.Limits.DEFAULT);
        guests = new Guests(catalog.jdbi(), new AuditLog(catalog.jdbi(), clock), new Settings(catalog.jdbi()), dataDir, clock,
                new SecureRandom(), () -> "SHA256:x");
        guestKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        String token = PairingCode.parse(guests.invite("Sam's NAS", "127.0.0.1", 2222, 100_000_000, Duration.ofDays(1), "admin")
                .code()).token();
        user = guests.redeem(token, new Request(PublicKeyEntry.toString(guestKey.getPublic()), "Alex's NAS", null), "127.0.0.1").user();
        server = SftpServer.start(new SftpServer.Settings("127.0.0.1", 0, dataDir), devices, sessions, new LoginThrottle(clock), guests);
        client = SshClient.setUpDefaultClient();
        client.start();
    }

    @AfterAll
    void stop() throws Exception {
        client.stop();
        server.close();
        sessions.close();
        engine.close();
        catalog.close();
        db.close();
    }

    interface Work {
        void run(SftpClient sftp) throws Exception;
    }

    void asGuest(Work work) throws Exception {
        try (ClientSession session = client.connect(user, "127.0.0.1", server.port()).verify(Duration.ofSeconds(10)).getSession()) {
            session.addPublicKeyIdentity(guestKey);
            session.auth().verify(Duration.ofSeconds(10));
            try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                work.run(sftp);
            }
        }
    }

    static void upload(SftpClient sftp, String path, String content) throws IOException {
        String tmp = path + "-tmp-" + Long.toHexString(System.nanoTime());
        try (OutputStream out = sftp.write(tmp, SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive, SftpClient.OpenMode.Write)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        sftp.rename(tmp, path);
    }

    private static SftpClient.Attributes mode(int perms) {
        return new SftpClient.Attributes().perms(perms);
    }

    private Path onDisk(String relative) {
        return guests.folder(user).resolve(relative);
    }

    @Test
    void aGuestAskingForNoPermissionsLeavesItsFilesAndFoldersUsableByTheHost() throws Exception {
        asGuest(sftp -> {
            sftp.mkdir("modes");
            upload(sftp, "modes/object", "ciphertext");
            sftp.setStat("modes/object", mode(0));
            try (SftpClient.CloseableHandle h = sftp.open("modes/object", SftpClient.OpenMode.Read)) {
                sftp.setStat(h, mode(0));
            }
            sftp.setStat("modes", mode(0500));
            sftp.mkdir("closed");
            sftp.setStat("closed", mode(0));
        });
        assertThat(Files.getPosixFilePermissions(onDisk("modes/object"))).containsAll(OWNER_RW);
        assertThat(Files.getPosixFilePermissions(onDisk("modes"))).containsAll(OWNER_RW).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getPosixFilePermissions(onDisk("closed"))).containsAll(OWNER_RW).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.readString(onDisk("modes/object"))).isEqualTo("ciphertext");
    }

    @Test
    void aDueDeletionThatCannotBeCarriedOutDoesNotStopTheOthers() throws Exception {
        asGuest(sftp -> {
            sftp.mkdir("stuck");
            upload(sftp, "stuck/inside", "kept");
            upload(sftp, "old", "to go");
        });
        // A folder that is not empty cannot be removed as a file: the host logs it and goes on.
        guests.requestDeletion(user, "stuck");
        guests.requestDeletion(user, "old");
        clock.advance(Duration.ofDays(guests.graceDays() + 1));

        guests.carryOutDueDeletions();

        assertThat(onDisk("old")).doesNotExist();
        assertThat(onDisk("stuck/inside")).exists();
        assertThat(guests.pendingDeletions(user)).extracting(d -> d.path()).containsExactly("stuck");
    }

    @Test
    void anUploadThatWasNeverRenamedIsRemovedAtOnceAndFreesItsSpace() throws Exception {
        long before = guests.usage(user).get();
        asGuest(sftp -> {
            sftp.mkdir("cut");
            try (OutputStream out = sftp.write("cut/object-tmp-0123", SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive,
                    SftpClient.OpenMode.Write)) {
                out.write(new byte[10_000]);
            }
            try (OutputStream out = sftp.write("cut/object-restic-temp-4567", SftpClient.OpenMode.Create,
                    SftpClient.OpenMode.Exclusive, SftpClient.OpenMode.Write)) {
                out.write(new byte[5_000]);
            }
        });
        // Another connection, as after a cut one: the uploads in flight are no longer known.
        asGuest(sftp -> {
            sftp.remove("cut/object-tmp-0123");
            sftp.remove("cut/object-restic-temp-4567");
        });
        assertThat(onDisk("cut/object-tmp-0123")).doesNotExist();
        assertThat(onDisk("cut/object-restic-temp-4567")).doesNotExist();
        assertThat(guests.pendingDeletions(user)).extracting(d -> d.path()).noneMatch(p -> p.startsWith("cut/"));
        assertThat(guests.usage(user).get()).isEqualTo(before);
    }

    @Test
    void twoConnectionsRenamingOntoOneNameAtOnceNeverBothSucceed() throws Exception {
        int rounds = 300;
        asGuest(a -> asGuest(b -> {
            a.mkdir("race");
            for (int i = 0; i < rounds; i++) {
                for (SftpClient c : List.of(a, b)) {
                    try (OutputStream out = c.write("race/" + i + "-tmp-" + (c == a ? "a" : "b"), SftpClient.OpenMode.Create,
                            SftpClient.OpenMode.Exclusive, SftpClient.OpenMode.Write)) {
                        out.write((c == a ? "a" : "b").getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                int both = 0;
                for (int i = 0; i < rounds; i++) {
                    CyclicBarrier start = new CyclicBarrier(2);
                    int round = i;
                    List<Future<Boolean>> renames = new ArrayList<>();
                    for (SftpClient c : List.of(a, b)) {
                        renames.add(pool.submit(() -> {
                            start.await();
                            try {
                                c.rename("race/" + round + "-tmp-" + (c == a ? "a" : "b"), "race/" + round);
                                return true;
                            } catch (SftpException refused) {
                                return false;
                            }
                        }));
                    }
                    int succeeded = 0;
                    for (Future<Boolean> f : renames) {
                        succeeded += f.get() ? 1 : 0;
                    }
                    assertThat(succeeded).as("round " + round).isGreaterThanOrEqualTo(1);
                    both += succeeded == 2 ? 1 : 0;
                }
                // Both succeeding means the second replaced the first: an object overwritten.
                assertThat(both).as("rounds where both renames succeeded").isZero();
            } finally {
                pool.shutdownNow();
            }
        }));
    }

    @Test
    void unpairingEndsTheGuestsOpenConnectionAndFreezesItsDeletions() throws Exception {
        KeyPair key = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
        String token = PairingCode.parse(guests.invite("Sam's NAS", "127.0.0.1", 2222, 1_000_000, Duration.ofDays(1), "admin")
                .code()).token();
        String other = guests.redeem(token, new Request(PublicKeyEntry.toString(key.getPublic()), "Kim's NAS", null), "127.0.0.1")
                .user();
        try (ClientSession session = client.connect(other, "127.0.0.1", server.port()).verify(Duration.ofSeconds(10)).getSession()) {
            session.addPublicKeyIdentity(key);
            session.auth().verify(Duration.ofSeconds(10));
            try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(session)) {
                upload(sftp, "object", "kept");
                sftp.remove("object");

                guests.unpair(other, "admin");

                assertThatThrownBy(() -> upload(sftp, "after-unpairing", "refused")).isInstanceOf(IOException.class);
            }
            assertThat(session.isOpen()).isFalse();
        }
        assertThat(guests.folder(other).resolve("after-unpairing")).doesNotExist();
        clock.advance(Duration.ofDays(guests.graceDays() + 1));
        guests.carryOutDueDeletions();
        assertThat(guests.folder(other).resolve("object")).hasContent("kept");
    }
}
