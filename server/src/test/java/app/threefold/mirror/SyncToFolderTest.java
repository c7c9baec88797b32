package app.threefold.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.jobs.Jobs;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Syncs to folders (a USB disk), judged by {@code restic -r FOLDER}; small disks are real tmpfs mounts. */
@ExtendWith(TestDatabase.class)
class SyncToFolderTest {

    static SourceRepository source;
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;
    Catalog catalog;
    Jobs jobs;
    Targets targets;
    final List<Path> mounts = new java.util.ArrayList<>();

    @BeforeAll
    static void createSource() throws Exception {
        source = SourceRepository.create(shared.resolve("source"), 21, 40);
    }

    @BeforeEach
    void setUp(Catalog catalog) {
        this.catalog = catalog;
        jobs = new Jobs(catalog.jdbi(), Clock.systemUTC());
        targets = new Targets(catalog.jdbi(), jobs, () -> Optional.of(source.backend()),
                new AuditLog(catalog.jdbi(), Clock.systemUTC()), tmp, Clock.systemUTC(), ZoneOffset.UTC,
                new Targets.Settings(3, new Retry(3, Duration.ofMillis(10), Duration.ofMillis(50)), Duration.ofDays(7)));
    }

    @AfterEach
    void tearDown() throws Exception {
        jobs.close();
        for (Path mount : mounts.reversed()) {
            run("umount", "-l", mount.toString());
        }
    }

    /** A tmpfs of {@code size} (e.g. "20m") at {@code dir}, as a small USB disk; skipped where mounting is impossible. */
    private Path mount(Path dir, String options) throws Exception {
        Files.createDirectories(dir);
        int exit = run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
        Assumptions.assumeTrue(exit == 0, "cannot mount a tmpfs here (needs root); the disk tests are skipped");
        mounts.add(dir);
        return dir;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static ResticCli restic(Path folder) {
        return new ResticCli(folder, SourceRepository.PASSWORD);
    }

    @Test
    void aSyncedFolderPassesResticCheckReadDataAndRestoresTheSourceByteIdentical() throws Exception {
        Path usb = tmp.resolve("usb/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = targets.addFolder("USB disk", usb, Target.NIGHTLY, 0, "admin").id();

        SyncResult result = targets.syncNow(id, false, "admin", null, p -> { });

        assertThat(result.objectsSent()).isPositive();
        ResticCli restic = restic(usb);
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
        Path restored = tmp.resolve("restored");
        restic.ok("restore", "latest", "--target", restored.toString());
        TestTrees.assertSameTree(source.files(), restored);
        assertThat(targets.syncNow(id, false, "admin", null, p -> { }).objectsSent()).isZero();
    }

    @Test
    void aBackupWrittenWhileTheSyncListsNeverLeavesTheCopyNamingDataItLacks() throws Exception {
        SourceRepository busy = SourceRepository.create(tmp.resolve("busy"), 22, 1);
        CountingBackend listed = new CountingBackend(busy.backend());
        // Packs, then their index, then the snapshot, written right after the sync listed the packs.
        listed.afterListing(app.threefold.backend.FileType.PACK, () -> busy.backupAgain(23));
        Targets onBusy = new Targets(catalog.jdbi(), jobs, () -> Optional.of(listed),
                new AuditLog(catalog.jdbi(), Clock.systemUTC()), tmp, Clock.systemUTC(), ZoneOffset.UTC,
                new Targets.Settings(3, new Retry(3, Duration.ofMillis(10), Duration.ofMillis(50)), Duration.ofDays(7)));
        Path usb = tmp.resolve("busy-usb/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = onBusy.addFolder("busy USB disk", usb, Target.NIGHTLY, 0, "admin").id();

        onBusy.syncNow(id, false, "admin", null, p -> { });

        ResticCli restic = restic(usb);
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
        onBusy.syncNow(id, false, "admin", null, p -> { });
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
        String snapshots = restic.ok("snapshots", "--json");
        assertThat(snapshots.split("\"short_id\"", -1).length - 1).as("the next sync brings the later snapshot")
                .isEqualTo(2);
    }

    @Test
    void aTargetPointedAtAnotherDiskIsNoCopyUntilASyncThereSucceeds() throws Exception {
        Path first = tmp.resolve("first-disk/threefold");
        Files.createDirectories(first.getParent());
        TargetId id = targets.addFolder("USB disk", first, Target.NIGHTLY, 0, "admin").id();
        targets.syncNow(id, false, "admin", null, p -> { });
        assertThat(targets.get(id).lastGoodSync()).isNotNull();

        Path second = tmp.resolve("second-disk/threefold");
        Files.createDirectories(second.getParent());
        targets.changeFolder(id, second, "admin");

        assertThat(targets.get(id).lastGoodSync()).as("the sync went to the first disk").isNull();
        targets.syncNow(id, false, "admin", null, p -> { });
        assertThat(targets.get(id).lastGoodSync()).isNotNull();
        assertThat(restic(second).ok("check")).contains("no errors were found");
    }

    @Test
    void anObjectOfAnotherLengthOnTheTargetFailsTheSyncInsteadOfPassingForTheRightOne() throws Exception {
        Path usb = tmp.resolve("usb-short/threefold");
        Files.createDirectories(usb.getParent());
        TargetId id = targets.addFolder("USB disk", usb, Target.NIGHTLY, 0, "admin").id();
        targets.syncNow(id, false, "admin", null, p -> { });
        Path pack;
        try (var files = Files.walk(usb.resolve("data"))) {
            pack = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(pack);
        pack.toFile().setWritable(true);
        Files.write(pack, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> targets.syncNow(id, true, "admin", null, p -> { }))
                .isInstanceOf(ForeignRepositoryException.class)
                .hasMessageContaining("already holds").hasMessageContaining(pack.getFileName().toString());
    }

    @Test
    void aDiskThatFillsUpFailsTheSyncClearlyAndLeavesACopyResticChecksClean() throws Exception {
        Path disk = mount(tmp.resolve("small-disk"), "size=20m");
        TargetId id = targets.addFolder("small USB disk", disk.resolve("threefold"), Target.NIGHTLY, 0, "admin").id();

        assertThatThrownBy(() -> targets.syncNow(id, false, "admin", null, p -> { }))
                .isInstanceOf(TargetFullException.class)
                .hasMessageContaining("is full").hasMessageContaining("free space there or use a larger disk");

        assertThat(targets.get(id).lastSync().state()).isEqualTo(Target.LastSync.State.FAILED);
        assertThat(targets.get(id).lastSync().error()).contains("is full");
        try (var leftovers = Files.walk(disk)) {
            assertThat(leftovers.filter(p -> p.getFileName().toString().startsWith(".tmp-")))
                    .as("no partial object stays behind").isEmpty();
        }
        ResticCli.Run check = restic(disk.resolve("threefold")).run("--no-lock", "check");
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("no errors were found");
    }

    @Test
    void aDiskThatIsNotMountedAnyMoreIsReportedAsSuchAndNotFilledAsAnEmptyCopy() throws Exception {
        Path mountPoint = tmp.resolve("media/usb");
        mount(mountPoint, "size=200m");
        TargetId id = targets.addFolder("USB disk", mountPoint, Target.NIGHTLY, 0, "admin").id();
        targets.syncNow(id, false, "admin", null, p -> { });
        run("umount", mountPoint.toString());
        mounts.remove(mountPoint);

        assertThat(mountPoint).isEmptyDirectory();
        assertThatThrownBy(() -> targets.syncNow(id, false, "admin", null, p -> { }))
                .isInstanceOf(TargetNotMountedException.class)
                .hasMessageContaining("not plugged in or not mounted");
        assertThatThrownBy(() -> targets.testConnection(id)).isInstanceOf(TargetNotMountedException.class);
        assertThatThrownBy(() -> targets.open(id)).isInstanceOf(TargetNotMountedException.class);
        assertThat(mountPoint).as("nothing was written onto the bare mount point").isEmptyDirectory();

        Files.delete(mountPoint);
        assertThatThrownBy(() -> targets.syncNow(id, false, "admin", null, p -> { }))
                .isInstanceOf(TargetNotMountedException.class);
        assertThat(mountPoint).doesNotExist();
    }

    @Test
    void aReadOnlyDiskIsReportedAsReadOnly() throws Exception {
        Path disk = mount(tmp.resolve("write-protected"), "size=10m,ro");
        TargetId id = targets.addFolder("old disk", disk, Target.NIGHTLY, 0, "admin").id();

        assertThatThrownBy(() -> targets.testConnection(id)).isInstanceOf(TargetReadOnlyException.class)
                .hasMessageContaining("cannot be written");
        assertThatThrownBy(() -> targets.syncNow(id, false, "admin", null, p -> { }))
                .isInstanceOf(TargetReadOnlyException.class).hasMessageContaining("mount the disk writable");
    }

    @Test
    void aDamagedLocalPackIsNotCopied() throws Exception {
        SourceRepository damaged = SourceRepository.create(tmp.resolve("damaged"), 22, 1);
        Path pack = TestTrees.flipByteInLargestPack(damaged.repository(), 100);
        Targets own = new Targets(catalog.jdbi(), jobs, () -> Optional.of(damaged.backend()),
                new AuditLog(catalog.jdbi(), Clock.systemUTC()), tmp, Clock.systemUTC(), ZoneOffset.UTC,
                Targets.Settings.DEFAULT);
        Path usb = tmp.resolve("usb2");
        TargetId id = own.addFolder("USB", usb, Target.NIGHTLY, 0, "admin").id();

        assertThatThrownBy(() -> own.syncNow(id, false, "admin", null, p -> { }))
                .isInstanceOf(DamagedSourceException.class).hasMessageContaining(pack.getFileName().toString())
                .hasMessageContaining("was not copied");
        try (var copied = Files.walk(usb)) {
            assertThat(copied.map(p -> p.getFileName().toString())).doesNotContain(pack.getFileName().toString());
        }
    }

    @Test
    void aBandwidthLimitHoldsAllParallelUploadsTogetherToTheRate() throws Exception {
        long limit = 20_000_000;
        CountingBackend usb = new CountingBackend(app.threefold.backend.LocalBackend.create(tmp.resolve("usb-limited")));
        long start = System.nanoTime();

        SyncResult result = new Sync(source.backend(), usb, Ledger.inMemory(),
                new Sync.Options(4, limit, Retry.DEFAULT, true, true), p -> { }).run();

        double seconds = (System.nanoTime() - start) / 1e9;
        // Only a lower bound: a busy machine can make any sync slower, but none may send faster.
        assertThat(result.bytesSent()).isGreaterThan(40L << 20);
        assertThat(result.bytesSent() / seconds).as("bytes per second").isLessThan(limit * 1.05);
    }

    @Test
    void theSchedulerStartsADueTargetsSyncOnceAndTheCopyIsWhole() throws Exception {
        Path usb = tmp.resolve("usb-scheduled");
        TargetId id = targets.addFolder("USB disk", usb, new app.threefold.sources.Schedule.EveryHours(6), 0, "admin").id();
        var sources = new app.threefold.sources.LocalSources(catalog.jdbi(), jobs, Optional::empty,
                new AuditLog(catalog.jdbi(), Clock.systemUTC()), tmp.resolve("data"), Clock.systemUTC(), ZoneOffset.UTC);

        try (var scheduler = new app.threefold.sources.SourceScheduler(sources, List.of(targets.duty()),
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(), Clock.systemUTC(),
                Duration.ofMillis(20)).start()) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (targets.get(id).lastSync() == null
                    || targets.get(id).lastSync().state() == Target.LastSync.State.RUNNING) {
                assertThat(System.nanoTime()).as("the scheduled sync ends within 2 minutes").isLessThan(deadline);
                Thread.sleep(50);
            }
            Thread.sleep(300);
        }

        assertThat(targets.get(id).lastSync().state()).isEqualTo(Target.LastSync.State.SUCCEEDED);
        assertThat(jobs.history(Targets.KIND, "USB disk", 10)).as("one sync, not one per tick").hasSize(1)
                .allSatisfy(j -> assertThat(j.actor()).isEqualTo(Targets.SCHEDULER));
        assertThat(restic(usb).ok("check")).contains("no errors were found");
    }
}
