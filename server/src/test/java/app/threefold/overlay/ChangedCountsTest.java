package app.threefold.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.ingest.IngestStats;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Changed" means the content differs from the parent snapshot's file at the same path, as the
 * Compare page says: a file sent again with the same bytes (rclone does that when only its time
 * changed) is unchanged, however it arrived.
 */
@ExtendWith(TestDatabase.class)
class ChangedCountsTest {

    @TempDir
    Path tmp;
    Catalog catalog;
    Engine engine;
    Devices devices;

    /** A snapshot row's counts as the device page shows them. */
    record Row(long filesNew, long filesChanged, long filesUnchanged, long filesRemoved) {
    }

    @BeforeEach
    void setUp(Catalog catalog) throws Exception {
        this.catalog = catalog;
        engine = Engine.create(tmp.resolve("data"), "recovery kit password".toCharArray(), catalog, Clock.systemUTC());
        devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), Clock.systemUTC());
        devices.create("laptop", "long enough".toCharArray(), null);
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    private static void put(Overlay o, String name, String text) throws Exception {
        Overlay.WriteHandle w = o.openWrite(List.of(name), true, true, false, 0644);
        w.write(0, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        w.close(true);
    }

    private Row latest(String device) {
        return catalog.jdbi().withHandle(h -> h.createQuery("""
                        SELECT files_new, files_changed, files_unchanged, files_removed FROM snapshots
                        WHERE device = :d ORDER BY time DESC LIMIT 1""").bind("d", device)
                .map((rs, c) -> new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))).one());
    }

    @Test
    void anSftpSessionThatSendsAFileAgainWithTheSameBytesCountsItUnchanged() throws Exception {
        DeviceSessions sessions = new DeviceSessions(engine, catalog, devices, tmp.resolve("data/sftp-sessions"),
                Clock.systemUTC(), DeviceSessions.Limits.DEFAULT);
        try (DeviceSessions.Lease lease = sessions.open("laptop")) {
            put(lease.overlay(), "same.txt", "the same bytes");
            put(lease.overlay(), "edited.txt", "first draft");
            put(lease.overlay(), "gone.txt", "deleted later");
        }
        sessions.close();
        DeviceSessions again = new DeviceSessions(engine, catalog, devices, tmp.resolve("data/sftp-sessions"),
                Clock.systemUTC(), DeviceSessions.Limits.DEFAULT);
        try (DeviceSessions.Lease lease = again.open("laptop")) {
            put(lease.overlay(), "same.txt", "the same bytes");
            put(lease.overlay(), "edited.txt", "second draft");
            put(lease.overlay(), "added.txt", "new");
            lease.overlay().remove(List.of("gone.txt"));
        }
        again.close();

        assertThat(latest("laptop")).isEqualTo(new Row(1, 1, 1, 1));
    }

    @Test
    void aFolderBackupThatReadsAFileAgainBecauseOnlyItsTimeChangedCountsItUnchanged() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve("touched.txt"), "the same bytes");
        Files.writeString(src.resolve("edited.txt"), "first draft");
        engine.backupFolder("nas-share", src);
        Files.setLastModifiedTime(src.resolve("touched.txt"), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        Files.writeString(src.resolve("edited.txt"), "second draft, longer");

        IngestStats stats = engine.backupFolder("nas-share", src).stats();

        assertThat(new Row(stats.filesNew(), stats.filesChanged(), stats.filesUnchanged(), stats.filesRemoved()))
                .isEqualTo(new Row(0, 1, 1, 0));
        assertThat(latest("nas-share")).isEqualTo(new Row(0, 1, 1, 0));
    }
}
