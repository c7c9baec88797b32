package app.threefold.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.ingest.IngestSession;
import app.threefold.repository.RepositoryException;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import app.threefold.format.Id;
import app.threefold.repository.BlobSaver;
import app.threefold.snapshot.Snapshot;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import app.threefold.verify.RestoreProof;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The appliance's engine on a real PostgreSQL catalog: backup, reopen, restore test. */
@ExtendWith(TestDatabase.class)
class EngineTest {
    static final String RECOVERY = "recovery password 123";

    @TempDir
    Path tmp;

    @Test
    void aRepositoryCreatedForTheApplianceOpensWithTheRecoveryPasswordInRestic(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            engine.backupFolder("laptop", TestTrees.awkward(tmp.resolve("src"), 5));
        }
        assertThat(Files.getPosixFilePermissions(data.resolve("appliance.key")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        assertThat(new ResticCli(Engine.repositoryDir(data), RECOVERY).ok("snapshots", "--host", "laptop")).contains("1 snapshots");
        assertThatThrownBy(() -> Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC()))
                .isInstanceOf(RepositoryException.class).hasMessageContaining("already");
    }

    @Test
    void storingRunsAtTheLowestPriorityWhileRestoresKeepTheNormalOne(Catalog catalog) throws Exception {
        try (Engine engine = Engine.create(tmp.resolve("data"), RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            assertThat(engine.storeWorkers().submit(() -> Thread.currentThread().getPriority()).get()).isEqualTo(Thread.MIN_PRIORITY);
            assertThat(engine.workers().submit(() -> Thread.currentThread().getPriority()).get()).isEqualTo(Thread.NORM_PRIORITY);
        }
    }

    @Test
    void aSecondBackupAfterReopeningDedupsThroughTheCatalog(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        Path src = TestTrees.awkward(tmp.resolve("src"), 6);
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            engine.backupFolder("laptop", src);
        }
        // Same content under another device: stored once, so almost nothing is added.
        try (Engine engine = Engine.open(data, catalog, Clock.systemUTC())) {
            IngestSession.Result second = engine.backupFolder("desktop", src);
            assertThat(second.stats().filesNew()).isEqualTo(8);
            assertThat(second.stats().bytesAdded()).isLessThan(8192);
            Long rows = catalog.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM snapshots").mapTo(Long.class).one());
            assertThat(rows).isEqualTo(2);
        }
    }

    @Test
    void aBackupCountsTheFilesRemovedSinceTheLastOneIncludingThoseInARemovedFolder(Catalog catalog) throws Exception {
        Path src = tmp.resolve("src");
        for (String f : List.of("a.txt", "b.txt", "c.txt", "old/1.txt", "old/2.txt", "old/deeper/3.txt", "keep/d.txt")) {
            TestTrees.write(src.resolve(f), ("content of " + f).getBytes());
        }
        try (Engine engine = Engine.create(tmp.resolve("data"), RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            assertThat(engine.backupFolder("laptop", src).stats().filesRemoved()).isZero();
            Files.delete(src.resolve("a.txt"));
            Files.delete(src.resolve("keep/d.txt"));
            try (var walk = Files.walk(src.resolve("old"))) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            TestTrees.write(src.resolve("new.txt"), "new".getBytes());

            IngestSession.Result second = engine.backupFolder("laptop", src);

            assertThat(second.stats().filesRemoved()).isEqualTo(5);
            assertThat(second.stats().filesNew()).isEqualTo(1);
            assertThat(second.stats().filesUnchanged()).isEqualTo(2);
            Long recorded = catalog.jdbi().withHandle(h -> h.createQuery("SELECT files_removed FROM snapshots WHERE id = :id")
                    .bind("id", second.snapshot().id().bytes()).mapTo(Long.class).one());
            assertThat(recorded).isEqualTo(5);
        }
    }

    @Test
    void aPruneByResticIsNoticedSoDedupNeverTrustsDeletedBlobs(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        Path src = tmp.resolve("src");
        byte[] photo = TestTrees.bytes(new Random(30), 1 << 20);
        TestTrees.write(src.resolve("photo.jpg"), photo);
        ResticCli restic = new ResticCli(Engine.repositoryDir(data), RECOVERY);
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            IngestSession.Result first = engine.backupFolder("laptop", src);
            Files.delete(src.resolve("photo.jpg"));
            engine.backupFolder("laptop", src);
            // restic, run by hand on the NAS, forgets the only snapshot with the photo and prunes its data.
            restic.ok("forget", first.snapshot().id().hex(), "--prune");

            TestTrees.write(src.resolve("photo.jpg"), photo);
            IngestSession.Result third = engine.backupFolder("laptop", src);

            assertThat(third.stats().bytesAdded()).as("the pruned photo is stored again").isGreaterThan(1 << 19);
        }
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
    }

    @Test
    void theRestoreTestPassesOnAHealthyCopyAndNamesTheFileADamagedPackBreaks(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        Path src = tmp.resolve("src");
        TestTrees.write(src.resolve("photos/cat.jpg"), TestTrees.bytes(new Random(7), 2 << 20));
        TestTrees.write(src.resolve("notes.txt"), "keep me\n".getBytes());
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            IngestSession.Result backup = engine.backupFolder("laptop", src);
            RestoreProof test = new RestoreProof(engine.repository(), engine.digests()::sha256, engine.workers(), Clock.systemUTC());
            List<RestoreProof.Progress> progress = new ArrayList<>();
            RestoreProof.Result ok = test.run(backup.snapshot(), progress::add);
            assertThat(ok.passed()).isTrue();
            assertThat(ok.files()).isEqualTo(2);
            assertThat(ok.bytes()).isEqualTo((2 << 20) + 8);
            assertThat(ok.filesUnverified()).isZero();
            assertThat(progress).hasSize(2);

            TestTrees.flipByteInLargestPack(Engine.repositoryDir(data), 500);
            RestoreProof.Result broken = test.run(backup.snapshot(), p -> { });
            assertThat(broken.passed()).isFalse();
            assertThat(broken.failures()).extracting(RestoreProof.Failure::path).containsExactly("/photos/cat.jpg");
            assertThat(broken.failures().get(0).reason()).contains("damaged");
        }
    }

    @Test
    void theRestoreTestFailsANameNoDiskCanTakeThoughEveryByteReads(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            String longName = "é".repeat(150) + ".txt";
            Id tree;
            try (BlobSaver saver = new BlobSaver(engine.repository(), engine.workers())) {
                tree = saver.saveTree(TreeCodec.encode(List.of(
                        Node.file(longName, 0644, Instant.EPOCH, 0, List.of()),
                        Node.file("fine.txt", 0644, Instant.EPOCH, 0, List.of()))));
                saver.flush();
            }
            Snapshot snapshot = new Snapshot(null, Instant.now(), null, tree, List.of("/"), "laptop", "", List.of());
            RestoreProof.Result result = new RestoreProof(engine.repository(), engine.digests()::sha256, engine.workers(), Clock.systemUTC())
                    .run(snapshot, p -> { });
            assertThat(result.passed()).isFalse();
            assertThat(result.failures()).singleElement().satisfies(f -> {
                assertThat(f.path()).isEqualTo("/" + longName);
                assertThat(f.reason()).contains("304 bytes").contains("255");
            });
        }
    }
}
