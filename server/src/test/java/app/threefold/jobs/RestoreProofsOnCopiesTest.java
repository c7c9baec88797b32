package app.threefold.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.audit.AuditLog;
import app.threefold.backend.LocalBackend;
import app.threefold.backend.ObjectCopy;
import app.threefold.backend.S3Backend;
import app.threefold.backend.S3Server;
import app.threefold.backend.S3Settings;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.crypto.KeyFile;
import app.threefold.engine.Engine;
import app.threefold.index.MemoryIndex;
import app.threefold.ingest.IngestSession;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.repository.TestTrees;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-click restore test against a copy other than the NAS's own repository: a bucket on a
 * real S3 server and a folder (a USB disk), each filled by copying the repository's objects as a
 * mirror does. Damage only on the copy fails only the copy's test: the test read the copy.
 */
@ExtendWith(TestDatabase.class)
class RestoreProofsOnCopiesTest {
    static final String RECOVERY = "recovery password 123";
    static final Clock CLOCK = Clock.systemUTC();

    static S3Server server;

    @TempDir
    Path tmp;
    Catalog catalog;
    Engine engine;
    Jobs jobs;
    IngestSession.Result backup;
    /** The copies the restore tests may be pointed at, by id, as the mirror's targets will provide them. */
    final Map<String, Copies.Copy> targets = new HashMap<>();
    RestoreProofs restoreTests;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void applianceWithABackup(Catalog catalog) throws Exception {
        this.catalog = catalog;
        Path src = tmp.resolve("src");
        TestTrees.write(src.resolve("photos/cat.jpg"), TestTrees.bytes(new Random(7), 2 << 20));
        TestTrees.write(src.resolve("notes.txt"), "keep me\n".getBytes());
        engine = Engine.create(tmp.resolve("data"), RECOVERY.toCharArray(), catalog, CLOCK);
        backup = engine.backupFolder("laptop", src);
        jobs = new Jobs(catalog.jdbi(), CLOCK);
        restoreTests = new RestoreProofs(jobs, () -> Optional.of(engine), new AuditLog(catalog.jdbi(), CLOCK), CLOCK,
                id -> Optional.ofNullable(targets.get(id)));
    }

    @AfterEach
    void stop() throws Exception {
        jobs.close();
        engine.close();
    }

    @Test
    void aBucketCopyPassesAndWithOnePackDamagedOnTheBucketFailsNamingTheFileWhileTheNasStillPasses() throws Exception {
        S3Settings bucket = server.settings(server.createBucket(), "threefold/nas");
        try (S3Backend copy = S3Backend.create(bucket)) {
            ObjectCopy.copyAll(engine.repository().backend(), copy);
        }
        targets.put("7", new Copies.Copy("Backblaze bucket", () -> S3Backend.open(bucket)));

        Job healthy = awaitEnd(restoreTests.start("laptop", "7", "alice"));

        assertThat(healthy.state()).as(healthy.error()).isEqualTo(Job.State.SUCCEEDED);
        assertThat(healthy.copy()).isEqualTo("7");
        assertThat(healthy.result()).containsEntry("verdict", "passed").containsEntry("copy", "7")
                .containsEntry("copyName", "Backblaze bucket").containsEntry("location", bucket.resticRepository())
                .containsEntry("snapshot", backup.snapshot().id().hex());
        assertThat(((Number) healthy.result().get("files")).longValue()).isEqualTo(2);
        assertThat(((Number) healthy.result().get("filesUnverified")).longValue()).as("judged by the ingest digests").isZero();

        try (S3Backend copy = S3Backend.open(bucket)) {
            ObjectCopy.flipByte(server, bucket, ObjectCopy.largestPack(copy), 500);
        }
        Job damaged = awaitEnd(restoreTests.start("laptop", "7", "alice"));
        Job local = awaitEnd(restoreTests.start("laptop", RestoreProofs.LOCAL, "alice"));

        assertThat(damaged.result()).containsEntry("verdict", "failed");
        assertThat(failures(damaged)).extracting(f -> f.get("path")).containsExactly("/photos/cat.jpg");
        assertThat(failures(damaged).get(0).get("reason")).contains("damaged");
        assertThat(local.result()).as("the NAS's own repository was not what the bucket's test read")
                .containsEntry("verdict", "passed").containsEntry("copy", "local");
    }

    @Test
    void aFolderCopyPassesAndWithOnePackDamagedOnTheFolderFailsNamingTheFileWhileTheNasStillPasses() throws Exception {
        Path usb = tmp.resolve("usb/threefold");
        try (LocalBackend copy = LocalBackend.create(usb)) {
            ObjectCopy.copyAll(engine.repository().backend(), copy);
        }
        targets.put("usb", new Copies.Copy("USB disk", () -> LocalBackend.open(usb)));

        Job healthy = awaitEnd(restoreTests.start("laptop", "usb", "alice"));
        TestTrees.flipByteInLargestPack(usb, 500);
        Job damaged = awaitEnd(restoreTests.start("laptop", "usb", "alice"));
        Job local = awaitEnd(restoreTests.start("laptop", RestoreProofs.LOCAL, "alice"));

        assertThat(healthy.result()).containsEntry("verdict", "passed").containsEntry("location", usb.toString());
        assertThat(damaged.result()).containsEntry("verdict", "failed");
        assertThat(failures(damaged)).extracting(f -> f.get("path")).containsExactly("/photos/cat.jpg");
        assertThat(local.result()).containsEntry("verdict", "passed");
    }

    @Test
    void aCopyTestsTheLatestSnapshotTheCopyHoldsNotTheNassOwn() throws Exception {
        Path usb = tmp.resolve("usb");
        try (LocalBackend copy = LocalBackend.create(usb)) {
            ObjectCopy.copyAll(engine.repository().backend(), copy);
        }
        TestTrees.write(tmp.resolve("src/later.txt"), "written after the copy was synced\n".getBytes());
        IngestSession.Result later = engine.backupFolder("laptop", tmp.resolve("src"));
        targets.put("usb", new Copies.Copy("USB disk", () -> LocalBackend.open(usb)));

        Job onCopy = awaitEnd(restoreTests.start("laptop", "usb", "alice"));
        Job onNas = awaitEnd(restoreTests.start("laptop", RestoreProofs.LOCAL, "alice"));

        assertThat(onCopy.result()).containsEntry("verdict", "passed").containsEntry("snapshot", backup.snapshot().id().hex());
        assertThat(((Number) onCopy.result().get("files")).longValue()).isEqualTo(2);
        assertThat(onNas.result()).containsEntry("snapshot", later.snapshot().id().hex());
    }

    @Test
    void anEmptyCopyAnotherRepositoryAndAnUnknownIdEachSayWhatToDo() throws Exception {
        Path empty = tmp.resolve("empty");
        LocalBackend.create(empty).close();
        Path other = tmp.resolve("other");
        try (LocalBackend backend = LocalBackend.create(other)) {
            Repository.create(backend, RECOVERY.toCharArray(), new KeyFile.Params(1024, 8, 1), new MemoryIndex(),
                    new SecureRandom(), CLOCK);
        }
        targets.put("empty", new Copies.Copy("new USB disk", () -> LocalBackend.open(empty)));
        targets.put("other", new Copies.Copy("neighbour's disk", () -> LocalBackend.open(other)));
        targets.put("gone", new Copies.Copy("unplugged disk", () -> LocalBackend.open(tmp.resolve("unplugged"))));

        Job notSynced = awaitEnd(restoreTests.start("laptop", "empty", "alice"));
        Job foreign = awaitEnd(restoreTests.start("laptop", "other", "alice"));
        Job unplugged = awaitEnd(restoreTests.start("laptop", "gone", "alice"));

        assertThat(notSynced.state()).isEqualTo(Job.State.FAILED);
        assertThat(notSynced.error()).contains("'new USB disk'").contains("no config").contains("sync it first");
        assertThat(foreign.state()).isEqualTo(Job.State.FAILED);
        assertThat(foreign.error()).contains("another repository");
        assertThat(unplugged.state()).isEqualTo(Job.State.FAILED);
        assertThat(unplugged.error()).contains("'unplugged disk'").contains("does not exist").contains("mounted");
        assertThatThrownBy(() -> restoreTests.start("laptop", "42", "alice"))
                .isInstanceOf(RepositoryException.class).hasMessageContaining("Unknown copy '42'");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, String>> failures(Job job) {
        return (List<Map<String, String>>) job.result().get("failures");
    }

    private Job awaitEnd(Job started) throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        Job[] last = new Job[1];
        jobs.listen(started.id(), j -> {
            if (j.done()) {
                last[0] = j;
                ended.countDown();
            }
        });
        assertThat(ended.await(60, TimeUnit.SECONDS)).as("job " + started.id() + " ended").isTrue();
        return last[0];
    }
}
