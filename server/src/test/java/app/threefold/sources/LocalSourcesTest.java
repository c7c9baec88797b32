package app.threefold.sources;

import app.threefold.clock.TestClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import app.threefold.account.PasswordHasher;
import app.threefold.audit.AuditEntry;
import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.DeviceException;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.repository.TestTrees;
import app.threefold.restore.Restorer;
import app.threefold.snapshot.Snapshot;
import app.threefold.sources.LocalSource.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Local sources on a real catalog and engine: validation, scheduled runs with a moved clock, restores. */
@ExtendWith(TestDatabase.class)
class LocalSourcesTest {

    private static final Schedule NIGHTLY = new Schedule.Daily(LocalTime.of(3, 0));

    @TempDir
    Path tmp;
    private final TestClock clock = new TestClock(Instant.parse("2026-11-23T02:58:00Z"));
    private Catalog catalog;
    private Path dataDir;
    private Engine engine;
    private Jobs jobs;
    private AuditLog audit;
    private LocalSources sources;

    @BeforeEach
    void start(Catalog catalog) throws Exception {
        this.catalog = catalog;
        dataDir = tmp.resolve("data");
        engine = Engine.create(dataDir, "recovery password 123".toCharArray(), catalog, clock);
        jobs = new Jobs(catalog.jdbi(), clock);
        audit = new AuditLog(catalog.jdbi(), clock);
        sources = new LocalSources(catalog.jdbi(), jobs, () -> Optional.of(engine), audit, dataDir, clock, ZoneOffset.UTC);
    }

    @AfterEach
    void stop() throws Exception {
        jobs.close();
        engine.close();
    }

    @Test
    void aDueSourceIsSnapshottedOnceAndItsFilesRestoreByteForByte() throws Exception {
        Path photos = TestTrees.awkward(tmp.resolve("photos"), 11);
        sources.add("photo-share", photos.toString(), NIGHTLY, "alice");
        try (SourceScheduler scheduler = new SourceScheduler(sources, Executors.newSingleThreadScheduledExecutor(), clock,
                Duration.ofMillis(20)).start()) {
            Thread.sleep(200);
            assertThat(jobs.history(LocalSources.KIND, "photo-share", 10)).as("not due before 03:00").isEmpty();

            clock.set(Instant.parse("2026-11-23T03:00:30Z"));
            LocalSource done = awaitRun("photo-share", 1);

            assertThat(done.lastRun().status()).isEqualTo(Status.SUCCEEDED);
            assertThat(done.lastRun().error()).isNull();
            assertThat(done.nextRun(ZoneOffset.UTC)).hasValue(Instant.parse("2026-11-24T03:00:00Z"));
            Snapshot snapshot = engine.snapshots().latest("photo-share").orElseThrow();
            assertThat(done.lastRun().snapshot()).isEqualTo(snapshot.id().hex());
            assertThat(snapshot.paths()).containsExactly(photos.toString());
            Path restored = tmp.resolve("restored");
            new Restorer(engine.repository(), engine.workers()).restore(snapshot.tree(), "/", restored);
            TestTrees.assertSameTree(photos, restored);
            assertThat(Files.readAllBytes(restored.resolve("docs/big.bin"))).isEqualTo(Files.readAllBytes(photos.resolve("docs/big.bin")));
            Thread.sleep(200);
            assertThat(jobs.history(LocalSources.KIND, "photo-share", 10)).as("no second run the same night").hasSize(1);

            // Off for four nights: back on at 09:00, it catches up with one run, not four.
            clock.set(Instant.parse("2026-11-27T09:00:00Z"));
            awaitRun("photo-share", 2);
            Thread.sleep(200);
            assertThat(jobs.history(LocalSources.KIND, "photo-share", 10)).hasSize(2);
            assertThat(sources.find("photo-share").orElseThrow().nextRun(ZoneOffset.UTC))
                    .hasValue(Instant.parse("2026-11-28T03:00:00Z"));
        }
        assertThat(audit.search("source.", null, 10)).extracting(AuditEntry::action).containsExactly(
                "source.backup.succeeded", "source.backup.started", "source.backup.succeeded", "source.backup.started",
                "source.added");
        Long rows = catalog.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM snapshots WHERE device = 'photo-share'")
                .mapTo(Long.class).one());
        assertThat(rows).as("snapshot summaries for the dashboard and browse pages").isEqualTo(2);
    }

    @Test
    void aDisabledSourceIsNotRunOnScheduleButRunsWhenAsked() throws Exception {
        Path photos = TestTrees.awkward(tmp.resolve("photos"), 12);
        sources.add("photo-share", photos.toString(), new Schedule.EveryHours(1), "alice");
        sources.change("photo-share", photos.toString(), new Schedule.EveryHours(1), false, "alice");

        assertThat(sources.due(clock.instant().plus(Duration.ofDays(2)))).isEmpty();
        assertThat(sources.find("photo-share").orElseThrow().nextRun(ZoneOffset.UTC)).isEmpty();
        sources.runNow("photo-share", "alice");
        assertThat(awaitRun("photo-share", 1).lastRun().status()).isEqualTo(Status.SUCCEEDED);
    }

    @Test
    void askingAgainWhileARunIsQueuedGetsThatRunAndRemovingWaitsForIt() throws Exception {
        Path photos = TestTrees.awkward(tmp.resolve("photos"), 13);
        sources.add("photo-share", photos.toString(), NIGHTLY, "alice");
        CountDownLatch release = new CountDownLatch(1);
        jobs.submit("restore", "laptop", "local", "alice", progress -> {
            release.await(30, TimeUnit.SECONDS);
            return java.util.Map.of();
        });

        Job first = sources.runNow("photo-share", "alice");
        Job second = sources.runNow("photo-share", "bob");
        clock.set(Instant.parse("2026-11-24T04:00:00Z"));

        assertThat(second.id()).isEqualTo(first.id());
        assertThat(sources.due(clock.instant())).as("the scheduler skips a source that is queued").isEmpty();
        assertThatThrownBy(() -> sources.remove("photo-share", "alice")).isInstanceOf(SourceBusyException.class)
                .hasMessageContaining("wait until the run ends");
        release.countDown();
        awaitRun("photo-share", 1);
        sources.remove("photo-share", "alice");
        assertThat(sources.list()).isEmpty();
        assertThat(engine.snapshots().latest("photo-share")).as("snapshots outlive the source").isPresent();
    }

    @Test
    void aFolderThatVanishedFailsTheRunWithAReasonAndTheNextRunStillComes() throws Exception {
        Path share = Files.createDirectories(tmp.resolve("usb-share"));
        sources.add("usb-share", share.toString(), NIGHTLY, "alice");
        Files.delete(share);

        sources.runNow("usb-share", "alice");
        LocalSource failed = awaitRun("usb-share", 1);

        assertThat(failed.lastRun().status()).isEqualTo(Status.FAILED);
        assertThat(failed.lastRun().snapshot()).isNull();
        assertThat(failed.lastRun().error()).contains(share.toString(), "mounted");
        assertThat(jobs.find(failed.lastRun().job()).orElseThrow().state()).isEqualTo(Job.State.FAILED);
        assertThat(audit.search("source.backup.failed", null, 10)).hasSize(1);
        assertThat(failed.nextRun(ZoneOffset.UTC)).hasValue(Instant.parse("2026-11-23T03:00:00Z"));
    }

    @Test
    void unreadableEntriesLeaveTheRunIncompleteNamingThem() throws Exception {
        assumeThat(System.getProperty("user.name")).as("root reads everything").isNotEqualTo("root");
        Path photos = TestTrees.awkward(tmp.resolve("photos"), 14);
        Path secret = Files.writeString(photos.resolve("secret.txt"), "private");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        sources.add("photo-share", photos.toString(), NIGHTLY, "alice");

        sources.runNow("photo-share", "alice");
        LocalSource run = awaitRun("photo-share", 1);

        assertThat(run.lastRun().status()).isEqualTo(Status.INCOMPLETE);
        assertThat(run.lastRun().snapshot()).isNotNull();
        assertThat(run.lastRun().error()).contains("1 entries", "secret.txt");
    }

    @Test
    void foldersThatCannotBeBackedUpAreRefusedAndNothingChanges() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");

        refused("relative/photos", "absolute path");
        refused("", "absolute path");
        refused(tmp.resolve("missing").toString(), "no folder");
        refused(file.toString(), "is a file");
        refused(dataDir.resolve("repository").toString(), "inside the appliance's data directory");
        refused(tmp.toString(), "contains the appliance's data directory");
        Path link = Files.createSymbolicLink(tmp.resolve("sneaky"), dataDir);
        refused(link.toString(), "inside the appliance's data directory");
        if (!"root".equals(System.getProperty("user.name"))) {
            Path locked = Files.createDirectories(tmp.resolve("locked"));
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
            refused(locked.toString(), "may not read");
        }
        assertThatThrownBy(() -> sources.add("photo share", photos.toString(), NIGHTLY, "alice"))
                .isInstanceOf(InvalidSourceException.class).hasMessageContaining("Invalid source name");

        assertThat(sources.list()).isEmpty();
        assertThat(audit.search("source.", null, 10)).isEmpty();
        sources.add("photo-share", photos.toString() + "/./", NIGHTLY, "alice");
        assertThat(sources.find("photo-share").orElseThrow().path()).isEqualTo(photos);
        assertThatThrownBy(() -> sources.change("photo-share", file.toString(), NIGHTLY, true, "alice"))
                .isInstanceOf(InvalidSourceException.class);
        assertThat(sources.find("photo-share").orElseThrow().path()).isEqualTo(photos);
        assertThatThrownBy(() -> sources.change("nope", photos.toString(), NIGHTLY, true, "alice"))
                .isInstanceOf(SourceNotFoundException.class);
    }

    @Test
    void devicesAndSourcesNeverShareANameWhicheverCameFirst() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Devices devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), clock);
        devices.create("anna-laptop", "correct horse".toCharArray(), null);
        sources.add("photo-share", photos.toString(), NIGHTLY, "alice");

        assertThatThrownBy(() -> sources.add("anna-laptop", photos.toString(), NIGHTLY, "alice"))
                .isInstanceOf(InvalidSourceException.class).hasMessageContaining("An SFTP device is named 'anna-laptop'");
        assertThatThrownBy(() -> sources.add("photo-share", photos.toString(), NIGHTLY, "alice"))
                .isInstanceOf(InvalidSourceException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> devices.create("photo-share", "correct horse".toCharArray(), null))
                .isInstanceOf(DeviceException.class).hasMessageContaining("A local source is named 'photo-share'");
        // The catalog refuses it too, for writers that skip the services' checks.
        assertThatThrownBy(() -> catalog.jdbi().useHandle(h -> h.execute(
                "INSERT INTO devices (name, created) VALUES ('photo-share', now())")))
                .hasMessageContaining("a local source is named photo-share");
        assertThat(devices.list()).extracting(d -> d.name()).containsExactly("anna-laptop");
        assertThat(sources.list()).extracting(LocalSource::name).containsExactly("photo-share");
    }

    @Test
    void aRemovedSourcesNameNeverBecomesADeviceThatWouldSeeItsFoldersNorADeletedDevicesASource() throws Exception {
        Path photos = TestTrees.awkward(tmp.resolve("photos"), 12);
        Devices devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), clock);
        sources.add("photos", photos.toString(), NIGHTLY, "alice");
        sources.runNow("photos", "alice");
        awaitRun("photos", 1);
        sources.remove("photos", "alice");

        assertThatThrownBy(() -> devices.create("photos", "correct horse".toCharArray(), null))
                .isInstanceOf(DeviceException.class).hasMessageContaining("would see them over SFTP");
        assertThat(devices.find("photos")).isEmpty();
        // The same kind may come back: a re-added share continues its own history.
        sources.add("photos", photos.toString(), NIGHTLY, "alice");

        devices.create("old-laptop", "correct horse".toCharArray(), null);
        devices.delete("old-laptop", "alice");
        assertThatThrownBy(() -> sources.add("old-laptop", photos.toString(), NIGHTLY, "alice"))
                .isInstanceOf(InvalidSourceException.class).hasMessageContaining("deleted device");
        assertThat(sources.find("old-laptop")).isEmpty();
        devices.create("old-laptop", "correct horse".toCharArray(), null);
    }

    @Test
    void aRunCutOffByAStopIsMarkedFailedAtTheNextStart() {
        catalog.jdbi().useHandle(h -> h.execute("""
                INSERT INTO local_sources (name, path, daily_at, created, last_started, last_status, last_job)
                VALUES ('photo-share', '/srv/photos', '03:00', now(), now(), 'running', 7)"""));

        LocalSources restarted = new LocalSources(catalog.jdbi(), jobs, () -> Optional.of(engine), audit, dataDir, clock,
                ZoneOffset.UTC);

        LocalSource.LastRun last = restarted.find("photo-share").orElseThrow().lastRun();
        assertThat(last.status()).isEqualTo(Status.FAILED);
        assertThat(last.error()).contains("the appliance stopped");
        assertThat(last.job()).isEqualTo(7);
    }

    private void refused(String folder, String why) {
        assertThatThrownBy(() -> sources.add("photo-share", folder, NIGHTLY, "alice")).as(folder)
                .isInstanceOf(InvalidSourceException.class).hasMessageContaining(why);
    }

    /** Waits until the source has finished {@code runs} backups and returns it. */
    private LocalSource awaitRun(String name, int runs) throws InterruptedException {
        await(() -> jobs.history(LocalSources.KIND, name, 10).stream().filter(Job::done).count() >= runs
                && sources.activeJob(name).isEmpty());
        LocalSource s = sources.find(name).orElseThrow();
        assertThat(s.lastRun()).isNotNull();
        assertThat(s.lastRun().finished()).isNotNull();
        return s;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

}
