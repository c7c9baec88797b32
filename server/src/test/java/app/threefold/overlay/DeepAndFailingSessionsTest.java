package app.threefold.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.account.PasswordHasher;
import app.threefold.audit.AuditEntry;
import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.repository.ResticCli;
import app.threefold.snapshot.Snapshots;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Trees as deep as a file system allows, and sessions whose commit or replay fails. */
@ExtendWith(TestDatabase.class)
class DeepAndFailingSessionsTest {
    static final String RECOVERY = "recovery kit password";
    @TempDir
    Path tmp;
    Catalog catalog;
    Engine engine;
    Devices devices;
    Path sessionsDir;
    final FailingClock clock = new FailingClock();

    @BeforeEach
    void setUp(Catalog catalog) throws Exception {
        this.catalog = catalog;
        engine = Engine.create(tmp.resolve("data"), RECOVERY.toCharArray(), catalog, Clock.systemUTC());
        devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), Clock.systemUTC());
        devices.create("laptop", "long enough".toCharArray(), null);
        sessionsDir = tmp.resolve("data/sftp-sessions");
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private DeviceSessions sessions() throws Exception {
        return new DeviceSessions(engine, catalog, devices, sessionsDir, clock, DeviceSessions.Limits.DEFAULT);
    }

    private List<AuditEntry> audit(String action) {
        return new AuditLog(catalog.jdbi(), Clock.systemUTC()).search(action, null, 100);
    }

    private static void put(Overlay o, List<String> path, String text) throws Exception {
        Overlay.WriteHandle w = o.openWrite(path, true, true, false, 0644);
        w.write(0, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        w.close(true);
    }

    @Test
    void aFolderChainDeeperThanPathMaxIsRefusedAtTheLimitAndWhatFitsBecomesASnapshotResticAccepts() throws Exception {
        DeviceSessions s = sessions();
        DeviceSessions.Lease lease = s.open("laptop");
        Overlay o = lease.overlay();
        List<String> path = new ArrayList<>();
        FileSystemException refused = null;
        long started = System.nanoTime();
        for (int i = 0; i < 5000 && refused == null; i++) {
            path.add("d");
            try {
                o.mkdir(List.copyOf(path), 0755);
            } catch (FileSystemException e) {
                refused = e;
            }
        }
        // "/d" is 2 bytes: 2048 levels make exactly 4096 bytes, the 2049th is one too many.
        assertThat(refused).as("a mkdir past 4096 bytes is refused").isNotNull();
        assertThat(refused.getReason()).isEqualTo("path too long (over 4096 bytes)");
        assertThat(path).hasSize(2049);
        List<String> deepest = List.copyOf(path.subList(0, 2047));
        List<String> file = new ArrayList<>(deepest);
        file.add("f");
        put(o, file, "at the bottom");
        List<String> tooLong = new ArrayList<>(path.subList(0, 2048));
        tooLong.add("g");
        assertThatThrownBy(() -> put(o, tooLong, "one level too deep")).isInstanceOf(FileSystemException.class)
                .hasMessageContaining("path too long (over 4096 bytes)");

        // The last connection goes: the session is committed on the committer thread.
        lease.close();
        s.close();
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(new Snapshots(engine.repository()).latest("laptop")).as("the deep session became a snapshot").isPresent();
        assertThat(audit("sftp.session.failed")).isEmpty();
        ResticCli restic = new ResticCli(Engine.repositoryDir(tmp.resolve("data")), RECOVERY);
        restic.ok("check", "--read-data");
        String listing = restic.ok("ls", "latest");
        assertThat(listing).contains("/d".repeat(2047) + "/f").contains("/d".repeat(2048));
        try (var left = Files.list(sessionsDir)) {
            assertThat(left).as("the committed session's journal is gone").isEmpty();
        }
        // Linear work: the 2,048 folders are made and committed in well under the minutes the issue saw.
        assertThat(seconds).isLessThan(120);
    }

    @Test
    void aSessionWhoseCommitDiesOfAnErrorIsLoggedInTheActivityLogKeepsItsJournalAndIsReplayedLater() throws Exception {
        DeviceSessions s = sessions();
        DeviceSessions.Lease lease = s.open("laptop");
        Overlay o = lease.overlay();
        put(o, List.of("kept.txt"), "uploaded before the commit failed");
        Path journal = o.journal().dir();
        clock.fail.set(true);
        lease.close();
        s.close();
        clock.fail.set(false);

        assertThat(audit("sftp.session.failed")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("laptop");
            assertThat(String.valueOf(e.detail().get("error"))).contains("StackOverflowError");
        });
        assertThat(journal.resolve("journal")).exists();
        assertThat(new Snapshots(engine.repository()).latest("laptop")).isEmpty();

        assertThat(sessions().recover()).hasSize(1);
        Path restored = tmp.resolve("restored");
        new ResticCli(Engine.repositoryDir(tmp.resolve("data")), RECOVERY).ok("restore", "latest", "--target", restored.toString());
        assertThat(restored.resolve("kept.txt")).hasContent("uploaded before the commit failed");
    }

    @Test
    void aSessionThatCannotBeReplayedIsSetAsideAndReportedAndTheOthersAreStillRecovered() throws Exception {
        DeviceSessions before = sessions();
        Overlay damaged = before.open("laptop").overlay();
        put(damaged, List.of("a.txt"), "first");
        put(damaged, List.of("b.txt"), "second");
        Path damagedDir = damaged.journal().dir();
        // Damage in the middle of the journal (not a torn last line): it cannot be replayed as written.
        List<String> lines = Files.readAllLines(damagedDir.resolve("journal"));
        lines.set(1, "{\"op\": \"put\", \"path\": [\"a.t");
        Files.write(damagedDir.resolve("journal"), lines);
        // The appliance dies; another device's session crashed as well.
        devices.create("phone", "long enough".toCharArray(), null);
        Overlay phone = before.open("phone").overlay();
        put(phone, List.of("photo.jpg"), "a photo");

        var recovered = sessions().recover();

        assertThat(recovered).singleElement().satisfies(r -> assertThat(r.snapshot().hostname()).isEqualTo("phone"));
        Path quarantine = tmp.resolve("data/sessions-quarantine").resolve(damagedDir.getFileName());
        assertThat(quarantine.resolve("journal")).exists();
        assertThat(quarantine.resolve("WHY.txt")).content().contains("laptop").contains("line 2");
        assertThat(damagedDir).doesNotExist();
        assertThat(audit("sftp.session.quarantined")).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("laptop");
            assertThat(String.valueOf(e.detail().get("folder"))).isEqualTo("sessions-quarantine/" + damagedDir.getFileName());
        });
        // The next start has nothing left to replay.
        assertThat(sessions().recover()).isEmpty();
    }

    /** The system clock, which throws a StackOverflowError while {@link #fail} is set (inside a commit). */
    static final class FailingClock extends Clock {
        final AtomicBoolean fail = new AtomicBoolean();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return zone.equals(getZone()) ? this : Clock.system(zone);
        }

        @Override
        public Instant instant() {
            if (fail.get() && Thread.currentThread().getName().startsWith("sftp-commit")) {
                throw new StackOverflowError();
            }
            return Instant.now();
        }
    }
}
