package app.threefold.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.audit.AuditLog;
import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.LocalBackend;
import app.threefold.backend.S3Backend;
import app.threefold.backend.S3Server;
import app.threefold.backend.S3Settings;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.engine.Engine;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
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
 * Copies follow a prune: after {@code restic forget --prune} on the appliance's repository, a folder
 * and a bucket keep the forgotten snapshot and its data (restic checks them clean and restores it)
 * until the target's delay has passed on the test's clock, then lose it and still check clean; a
 * restore test on the copy stays green throughout; and a pack that a snapshot still on the copy
 * needs is never removed.
 */
@ExtendWith(TestDatabase.class)
class CopiesFollowAPruneTest {

    static final String RECOVERY = "recovery password for copies";
    static S3Server server;

    @TempDir
    Path tmp;
    Catalog catalog;
    TestClock clock;
    Engine engine;
    Jobs jobs;
    Targets targets;
    RestoreProofs restoreTests;
    Path before;
    Path after;
    String forgotten;
    String kept;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    /**
     * Two backups of a laptop: the first holds a file the second no longer has, so forgetting the
     * first and pruning removes (or repacks) its pack, rewrites the index and removes its snapshot.
     */
    @BeforeEach
    void applianceWithTwoBackups(Catalog catalog) throws Exception {
        this.catalog = catalog;
        clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        before = tmp.resolve("before");
        TestTrees.write(before.resolve("keep.bin"), TestTrees.bytes(new Random(1), 1 << 20));
        TestTrees.write(before.resolve("old/gone.bin"), TestTrees.bytes(new Random(2), 3 << 20));
        after = tmp.resolve("after");
        TestTrees.write(after.resolve("keep.bin"), TestTrees.bytes(new Random(1), 1 << 20));
        TestTrees.write(after.resolve("new.bin"), TestTrees.bytes(new Random(3), 1 << 20));
        engine = Engine.create(tmp.resolve("data"), RECOVERY.toCharArray(), catalog, Clock.systemUTC());
        forgotten = engine.backupFolder("laptop", before).snapshot().id().hex();
        kept = engine.backupFolder("laptop", after).snapshot().id().hex();
        jobs = new Jobs(catalog.jdbi(), Clock.systemUTC());
        targets = new Targets(catalog.jdbi(), jobs, () -> Optional.of(engine.repository().backend()),
                (copy, index) -> engine.repository().openCopy(copy, index), new AuditLog(catalog.jdbi(), clock), tmp,
                clock, ZoneOffset.UTC,
                new Targets.Settings(3, new Retry(3, Duration.ofMillis(10), Duration.ofMillis(50)), Duration.ofDays(7)));
        restoreTests = new RestoreProofs(jobs, () -> Optional.of(engine), new AuditLog(catalog.jdbi(), Clock.systemUTC()),
                Clock.systemUTC(), targets.copies());
    }

    @AfterEach
    void stop() throws Exception {
        jobs.close();
        engine.close();
    }

    private ResticCli local() {
        return new ResticCli(Engine.repositoryDir(tmp.resolve("data")), RECOVERY);
    }

    /** The prune the brief's other half will do in Threefold: restic's, on the appliance's repository. */
    private void forgetAndPruneLocally() throws Exception {
        local().ok("forget", "--prune", forgotten);
        assertThat(local().ok("snapshots", "--json")).doesNotContain(id(forgotten)).contains(id(kept));
    }

    private SyncResult sync(TargetId id) throws Exception {
        return targets.syncNow(id, false, "admin", null, p -> { });
    }

    @Test
    void aFolderCopyKeepsAForgottenSnapshotUntilItsDelayEndsThenLosesItAndStillChecksClean() throws Exception {
        Path usb = tmp.resolve("usb/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = targets.addFolder("USB disk", usb, Target.NIGHTLY, 0, "admin").id();
        followsThePrune(id, new ResticCli(usb, RECOVERY), () -> LocalBackend.open(usb));
    }

    @Test
    void aBucketCopyKeepsAForgottenSnapshotUntilItsDelayEndsThenLosesItAndStillChecksClean() throws Exception {
        S3Settings bucket = server.settings(server.createBucket(), "threefold/nas");
        TargetId id = targets.addS3("bucket", bucket, Target.NIGHTLY, 0, "admin").id();
        followsThePrune(id, new ResticCli(bucket.resticRepository(), RECOVERY, server.resticEnvironment()),
                () -> S3Backend.open(bucket));
    }

    @FunctionalInterface
    interface Opener {
        Backend open() throws Exception;
    }

    private void followsThePrune(TargetId id, ResticCli copy, Opener opener) throws Exception {
        sync(id);
        assertThat(proof(id)).as("restore test before the prune").isEqualTo("passed");
        forgetAndPruneLocally();
        Instant firstSeenGone = clock.instant();

        SyncResult seen = sync(id);

        assertThat(seen.objectsRemoved()).as("the delay has not passed").isZero();
        assertThat(seen.waitingRemoval()).isPositive();
        assertThat(seen.nextRemoval()).isEqualTo(firstSeenGone.plus(Target.DEFAULT_DELETE_DELAY));
        Target.Waiting waiting = targets.get(id).waiting();
        assertThat(waiting.objects()).isEqualTo(seen.waitingRemoval());
        assertThat(waiting.firstOn()).isEqualTo(firstSeenGone.plus(Duration.ofDays(30)));
        assertHoldsTheForgottenSnapshot(copy);
        assertThat(proof(id)).as("restore test after the local prune").isEqualTo("passed");

        // A full listing a week later must not restart the delay, nor may one more day of syncs.
        clock.advance(Duration.ofDays(8));
        targets.syncNow(id, true, "admin", null, p -> { });
        clock.advance(Duration.ofDays(21).plusHours(23));
        SyncResult almost = sync(id);
        assertThat(almost.objectsRemoved()).as("a day before the delay ends").isZero();
        assertHoldsTheForgottenSnapshot(copy);

        clock.advance(Duration.ofHours(2));
        SyncResult due = sync(id);

        assertThat(due.objectsRemoved()).isEqualTo(waiting.objects());
        assertThat(due.bytesRemoved()).isEqualTo(waiting.bytes());
        assertThat(due.waitingRemoval()).isZero();
        assertThat(due.keptReasons()).isEmpty();
        assertThat(targets.get(id).waiting()).isEqualTo(Target.Waiting.NONE);
        assertThat(targets.get(id).lastSync().removed()).isEqualTo(due.objectsRemoved());
        assertThat(copy.ok("check", "--read-data")).contains("no errors were found");
        String snapshots = copy.ok("snapshots", "--json");
        assertThat(snapshots).contains(id(kept)).doesNotContain(id(forgotten));
        try (Backend target = opener.open()) {
            assertThat(objects(target)).as("the copy holds what the appliance holds, no more")
                    .isEqualTo(objects(engine.repository().backend()));
        }
        Path restored = tmp.resolve("restored-kept");
        copy.ok("restore", kept, "--target", restored.toString());
        TestTrees.assertSameTree(after, restored);
        assertThat(proof(id)).as("restore test after the copy followed").isEqualTo("passed");
        assertThat(sync(id).objectsRemoved()).as("nothing left to remove").isZero();
    }

    private void assertHoldsTheForgottenSnapshot(ResticCli copy) throws Exception {
        assertThat(copy.ok("check", "--read-data")).contains("no errors were found");
        assertThat(copy.ok("snapshots", "--json")).contains(id(forgotten)).contains(id(kept));
        Path restored = tmp.resolve("restored-" + System.nanoTime());
        copy.ok("restore", forgotten, "--target", restored.toString());
        TestTrees.assertSameTree(before, restored);
    }

    @Test
    void aPackThatASnapshotStillOnTheCopyNeedsIsNeverRemoved() throws Exception {
        Path usb = tmp.resolve("usb/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = targets.addFolder("USB disk", usb, Target.NIGHTLY, 0, "admin").id();
        sync(id);
        forgetAndPruneLocally();
        sync(id);
        // The forgotten snapshot stays on the copy while its packs come due: as if it had come back
        // (a person copied it there) after the sync saw it gone. The ledger no longer knows it.
        Handle snapshot = new Handle(FileType.SNAPSHOT, forgotten);
        targets.ledger(id).forget(snapshot);
        clock.advance(Target.DEFAULT_DELETE_DELAY.plusMinutes(1));

        SyncResult result = sync(id);

        ResticCli copy = new ResticCli(usb, RECOVERY);
        assertThat(copy.run("check", "--read-data").output()).contains("no errors were found");
        Path restored = tmp.resolve("restored-forgotten");
        copy.ok("restore", forgotten, "--target", restored.toString());
        TestTrees.assertSameTree(before, restored);
        assertThat(proof(id)).isEqualTo("passed");
        assertThat(result.keptNeeded()).as("%s", result).isPositive();
        assertThat(result.keptReasons()).anySatisfy(r -> assertThat(r).contains("snapshot " + forgotten.substring(0, 8)));
        assertThat(targets.get(id).lastSync().keptNote()).contains("still on the copy, needs");
    }

    @Test
    void aSyncStoppedAfterEachRemovalLeavesACopyThatChecksCleanAndTheNextOneGoesOn() throws Exception {
        Path usb = tmp.resolve("usb/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = targets.addFolder("USB disk", usb, Target.NIGHTLY, 0, "admin").id();
        sync(id);
        forgetAndPruneLocally();
        ResticCli copy = new ResticCli(usb, RECOVERY);
        List<Handle> order = new java.util.ArrayList<>();
        for (int round = 0; round < 20; round++) {
            try (CountingBackend target = new CountingBackend(LocalBackend.open(usb))) {
                target.removalsLeft.set(1);
                Sync stopped = new Sync(engine.repository().backend(), target, targets.ledger(id),
                        new Sync.Options(2, 0, new Retry(1, Duration.ZERO, Duration.ZERO), true, false, Duration.ZERO),
                        p -> { }, clock, (c, index) -> engine.repository().openCopy(c, index));
                SyncResult result = null;
                try {
                    result = stopped.run();
                } catch (java.io.InterruptedIOException expected) {
                    // Stopped before its second removal, as a kill would stop it.
                }
                order.addAll(target.removed);
                assertThat(copy.ok("check", "--read-data")).as("after %s", order).contains("no errors were found");
                if (result != null) {
                    break;
                }
            }
        }
        assertThat(order).as("removed one at a time").hasSizeGreaterThan(2);
        List<FileType> types = order.stream().map(Handle::type).toList();
        assertThat(types).as("snapshots, then index files, then packs").isSortedAccordingTo(
                java.util.Comparator.comparingInt(List.of(FileType.SNAPSHOT, FileType.INDEX, FileType.PACK)::indexOf));
        assertThat(types).contains(FileType.SNAPSHOT, FileType.INDEX, FileType.PACK);
        try (Backend target = LocalBackend.open(usb)) {
            assertThat(objects(target)).isEqualTo(objects(engine.repository().backend()));
        }
    }

    @Test
    void aDelayOfZeroRemovesAtTheNextSyncAndANegativeOneIsRefused() throws Exception {
        Path usb = tmp.resolve("usb/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = targets.addFolder("USB disk", usb, Target.NIGHTLY, 0, "admin").id();
        assertThat(targets.get(id).deleteDelay()).isEqualTo(Duration.ofDays(30));
        sync(id);
        forgetAndPruneLocally();

        targets.changeDeleteDelay(id, Duration.ZERO, "admin");
        SyncResult result = sync(id);

        assertThat(result.objectsRemoved()).isPositive();
        assertThat(new ResticCli(usb, RECOVERY).ok("check", "--read-data")).contains("no errors were found");
        assertThat(new ResticCli(usb, RECOVERY).ok("snapshots", "--json")).doesNotContain(id(forgotten));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> targets.changeDeleteDelay(id, Duration.ofDays(-1), "admin"))
                .isInstanceOf(InvalidTargetException.class).hasMessageContaining("0 or more");
    }

    @Test
    void loweringTheDelayKeepsTheDueDateOfWhatAlreadyWaitsAndIsAudited() throws Exception {
        Path usb = tmp.resolve("usb/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = targets.addFolder("USB disk", usb, Target.NIGHTLY, 0, "admin").id();
        sync(id);
        forgetAndPruneLocally();
        Instant firstSeenGone = clock.instant();
        sync(id);
        clock.advance(Duration.ofDays(2));

        targets.changeDeleteDelay(id, Duration.ofDays(1), "admin");
        SyncResult after = sync(id);

        assertThat(after.objectsRemoved()).as("a shorter delay is not retroactive").isZero();
        assertThat(after.nextRemoval()).isEqualTo(firstSeenGone.plus(Duration.ofDays(30)));
        assertThat(targets.get(id).waiting().firstOn()).isEqualTo(firstSeenGone.plus(Duration.ofDays(30)));
        assertHoldsTheForgottenSnapshot(new ResticCli(usb, RECOVERY));
        assertThat(new AuditLog(catalog.jdbi(), clock).search("target.changed", "", 10))
                .anySatisfy(e -> assertThat(e.detail()).containsEntry("previousDeleteDelayDays", 30.0)
                        .containsEntry("deleteDelayDays", 1.0));
        clock.advance(Duration.ofDays(28).plusMinutes(1));
        assertThat(sync(id).objectsRemoved()).as("due on the date it had").isPositive();
    }

    @Test
    void aRemovalTheTargetRefusesIsKeptWithItsReasonAndTheSyncSucceeds() throws Exception {
        Path usb = tmp.resolve("usb/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = targets.addFolder("USB disk", usb, Target.NIGHTLY, 0, "admin").id();
        sync(id);
        forgetAndPruneLocally();
        try (CountingBackend target = new CountingBackend(LocalBackend.open(usb))) {
            target.refuseRemovals = true;
            Sync sync = new Sync(engine.repository().backend(), target, targets.ledger(id),
                    new Sync.Options(2, 0, new Retry(1, Duration.ZERO, Duration.ZERO), true, false, Duration.ZERO),
                    p -> { }, clock, (c, index) -> engine.repository().openCopy(c, index));

            SyncResult result = sync.run();

            assertThat(result.objectsRemoved()).isZero();
            assertThat(result.keptNeeded()).isPositive();
            assertThat(result.keptReasons()).anySatisfy(r -> assertThat(r).contains("could not be removed")
                    .contains("Access denied"));
        }
        assertThat(new ResticCli(usb, RECOVERY).ok("check", "--read-data")).contains("no errors were found");
    }

    @Test
    void aTargetThatExistedBeforeTheUpgradeNeverRemovesANewOneWaitsThirtyDays() throws Exception {
        try (TestDatabase.Database db = TestDatabase.create()) {
            upgradeKeepsRemovalsOff(db);
        }
    }

    private void upgradeKeepsRemovalsOff(TestDatabase.Database db) throws Exception {
        org.flywaydb.core.Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("classpath:db/migration").target("12").load().migrate();
        try (var c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             var st = c.createStatement()) {
            st.execute("INSERT INTO targets (name, kind, path, daily_at, bandwidth_limit, created)"
                    + " VALUES ('old USB', 'folder', '/media/usb', '02:30', 0, now())");
        }
        try (Catalog upgraded = db.openCatalog()) {
            Targets upgradedTargets = new Targets(upgraded.jdbi(), jobs, () -> Optional.of(engine.repository().backend()),
                    new AuditLog(upgraded.jdbi(), clock), tmp, clock, ZoneOffset.UTC,
                    new Targets.Settings(3, new Retry(3, Duration.ofMillis(10), Duration.ofMillis(50)), Duration.ofDays(7)));
            assertThat(upgradedTargets.list()).singleElement().satisfies(t -> assertThat(t.deleteDelay()).isNull());
            Target added = upgradedTargets.addFolder("new USB", tmp.resolve("new"), Target.NIGHTLY, 0, "admin");
            assertThat(added.deleteDelay()).isEqualTo(Duration.ofDays(30));
        }
    }

    @Test
    void aCopyOnlySnapshotWhosePackIsMissingOnTheCopyKeepsEveryDuePackAndTheSyncSucceeds() throws Exception {
        Path usb = tmp.resolve("usb/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = targets.addFolder("USB disk", usb, Target.NIGHTLY, 0, "admin").id();
        sync(id);
        app.threefold.format.Id tree = engine.snapshots().load(app.threefold.format.Id.parse(forgotten)).tree();
        String treePack = engine.repository().locate(app.threefold.format.BlobType.TREE, tree).orElseThrow().pack().hex();
        forgetAndPruneLocally();
        sync(id);
        // The forgotten snapshot stays on the copy (put back behind the ledger's back), and the pack
        // holding its root tree has vanished from the copy (a person, a disk error).
        targets.ledger(id).forget(new Handle(FileType.SNAPSHOT, forgotten));
        Files.delete(usb.resolve("data").resolve(treePack.substring(0, 2)).resolve(treePack));
        clock.advance(Target.DEFAULT_DELETE_DELAY.plusMinutes(1));

        SyncResult result = sync(id);

        assertThat(result.objectsRemoved()).as("only the snapshot files that were due may go").isLessThanOrEqualTo(1);
        assertThat(result.keptNeeded()).isPositive();
        assertThat(result.keptReasons()).anySatisfy(r -> assertThat(r).contains("cannot be read"));
        assertThat(targets.get(id).lastGoodSync()).isNotNull();
    }

    /** A snapshot's own id in {@code restic snapshots --json} (the later one names the earlier as its parent). */
    private static String id(String snapshot) {
        return "\"id\":\"" + snapshot + "\"";
    }

    private static Set<Handle> objects(Backend backend) throws Exception {
        Set<Handle> all = new HashSet<>();
        for (FileType type : List.of(FileType.CONFIG, FileType.KEY, FileType.PACK, FileType.INDEX, FileType.SNAPSHOT)) {
            backend.list(type, info -> all.add(info.handle()));
        }
        return all;
    }

    private String proof(TargetId id) throws Exception {
        Job started = restoreTests.start("laptop", id.toString(), "admin");
        CountDownLatch ended = new CountDownLatch(1);
        Job[] last = new Job[1];
        jobs.listen(started.id(), j -> {
            if (j.done()) {
                last[0] = j;
                ended.countDown();
            }
        });
        assertThat(ended.await(60, TimeUnit.SECONDS)).as("restore test ended").isTrue();
        assertThat(last[0].state()).as("%s", last[0].error()).isEqualTo(Job.State.SUCCEEDED);
        return String.valueOf(last[0].result().get("verdict"));
    }
}
