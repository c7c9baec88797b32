package app.threefold.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import app.threefold.snapshot.Snapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Sessions without SSH: crash recovery, checkpoints, concurrent sessions of one device. */
@ExtendWith(TestDatabase.class)
class DeviceSessionsTest {
    static final String RECOVERY = "recovery kit password";
    @TempDir
    Path tmp;
    Catalog catalog;
    Engine engine;
    Devices devices;
    Path sessionsDir;

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

    private DeviceSessions sessions(DeviceSessions.Limits c) throws Exception {
        return new DeviceSessions(engine, catalog, devices, sessionsDir, Clock.systemUTC(), c);
    }

    /** No checkpoints; storing waits for {@code quiet} without writes (or the session's end). */
    private DeviceSessions sessionsStoringAfter(Duration quiet) throws Exception {
        return sessions(new DeviceSessions.Limits(Duration.ofHours(1), Long.MAX_VALUE, Duration.ofHours(1),
                DeviceSessions.Limits.DEFAULT.backlogBytes(), quiet));
    }

    private static void put(Overlay o, List<String> path, String text) throws Exception {
        Overlay.WriteHandle w = o.openWrite(path, true, true, false, 0644);
        w.write(0, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        w.close(true);
    }

    /** Disconnects the last client and shuts the sessions down, failing the test if that hangs. */
    private static void endWithinAMinute(DeviceSessions.Lease lease, DeviceSessions s) throws Exception {
        CompletableFuture.runAsync(() -> {
            lease.close();
            s.close();
        }).get(1, TimeUnit.MINUTES);
    }

    private Path restoreLatest(String name) throws Exception {
        Path target = tmp.resolve(name);
        new ResticCli(Engine.repositoryDir(tmp.resolve("data")), RECOVERY).ok("restore", "latest", "--target", target.toString());
        return target;
    }

    @Test
    void closedFilesOfACrashedSessionAreReplayedIntoARecoveredSnapshotAndHalfWrittenOnesAreNot() throws Exception {
        DeviceSessions before = sessions(DeviceSessions.Limits.DEFAULT);
        Overlay o = before.open("laptop").overlay();
        o.mkdir(List.of("docs"), 0755);
        put(o, List.of("docs", "a.txt"), "closed before the crash");
        o.rename(List.of("docs", "a.txt"), List.of("docs", "b.txt"), false);
        o.setAttributes(List.of("docs", "b.txt"), 0600, java.time.Instant.parse("2024-01-02T03:04:05Z"));
        Overlay.WriteHandle half = o.openWrite(List.of("half.txt"), true, true, false, 0644);
        half.write(0, ByteBuffer.wrap("never closed".getBytes()));
        // The appliance dies here: no lease is closed, nothing committed.

        List<app.threefold.ingest.IngestSession.Result> recovered = sessions(DeviceSessions.Limits.DEFAULT).recover();

        assertThat(recovered).singleElement().satisfies(r -> assertThat(r.snapshot().tags()).containsExactly("recovered"));
        boolean flagged = catalog.jdbi().withHandle(h -> h.createQuery("SELECT recovered FROM snapshots").mapTo(Boolean.class).one());
        assertThat(flagged).isTrue();
        Path restored = restoreLatest("restored");
        assertThat(Files.readString(restored.resolve("docs/b.txt"))).isEqualTo("closed before the crash");
        assertThat(Files.getLastModifiedTime(restored.resolve("docs/b.txt")).toInstant()).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(restored.resolve("docs/a.txt")).doesNotExist();
        assertThat(restored.resolve("half.txt")).doesNotExist();
        try (var left = Files.list(sessionsDir)) {
            assertThat(left.filter(p -> !p.equals(o.journal().dir()))).isEmpty();
        }
    }

    @Test
    void aSpoolFileCutShortByAPowerLossNeverReplacesThePreviousVersion() throws Exception {
        DeviceSessions first = sessions(DeviceSessions.Limits.DEFAULT);
        try (DeviceSessions.Lease lease = first.open("laptop")) {
            put(lease.overlay(), List.of("report.txt"), "the good version");
        }
        first.close();
        DeviceSessions before = sessions(DeviceSessions.Limits.DEFAULT);
        Overlay o = before.open("laptop").overlay();
        put(o, List.of("report.txt"), "a newer version, longer than what reached the disk");
        put(o, List.of("other.txt"), "complete");
        // The appliance loses power: the journal line is on disk, the spool file only partly.
        Path spool;
        try (var files = Files.list(o.journal().dir())) {
            spool = files.filter(p -> p.getFileName().toString().startsWith("spool-")).sorted().findFirst().orElseThrow();
        }
        try (var ch = java.nio.channels.FileChannel.open(spool, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(5);
        }

        assertThat(sessions(DeviceSessions.Limits.DEFAULT).recover()).hasSize(1);

        Path restored = restoreLatest("restored");
        assertThat(restored.resolve("report.txt")).hasContent("the good version");
        assertThat(restored.resolve("other.txt")).hasContent("complete");
    }

    @Test
    void aLiveSessionHoldsARepositoryLockSoAPruneElsewhereWaitsAndTheLockGoesWithTheSession() throws Exception {
        DeviceSessions s = sessions(DeviceSessions.Limits.DEFAULT);
        DeviceSessions.Lease lease = s.open("laptop");
        put(lease.overlay(), List.of("kept.txt"), "uploaded while restic tried to prune");
        Path locks = Engine.repositoryDir(tmp.resolve("data")).resolve("locks");
        ResticCli restic = new ResticCli(Engine.repositoryDir(tmp.resolve("data")), RECOVERY);

        ResticCli.Run prune = restic.run("prune");
        assertThat(prune.exitCode()).as(prune.output()).isNotZero();
        assertThat(prune.output()).contains("locked");

        lease.close();
        s.close();
        try (var left = Files.list(locks)) {
            assertThat(left).isEmpty();
        }
        restic.ok("prune");
        assertThat(restoreLatest("restored").resolve("kept.txt")).hasContent("uploaded while restic tried to prune");
    }

    @Test
    void aSessionWhoseCommitFailsKeepsItsJournalButReleasesItsRepositoryLock() throws Exception {
        Path repo = Engine.repositoryDir(tmp.resolve("data"));
        DeviceSessions s = sessions(DeviceSessions.Limits.DEFAULT);
        DeviceSessions.Lease lease = s.open("laptop");
        put(lease.overlay(), List.of("a.txt"), "uploaded before the disk failed");
        // Snapshot files cannot be written (a file where their folder should be; root ignores modes).
        Files.move(repo.resolve("snapshots"), tmp.resolve("snapshots-aside"));
        Files.writeString(repo.resolve("snapshots"), "not a folder");

        lease.close();
        s.close();

        try (var locks = Files.list(repo.resolve("locks"))) {
            assertThat(locks).as("lock files left").isEmpty();
        }
        try (var journals = Files.list(sessionsDir)) {
            assertThat(journals).as("the journal stays for the next start").hasSize(1);
        }
        Files.delete(repo.resolve("snapshots"));
        Files.move(tmp.resolve("snapshots-aside"), repo.resolve("snapshots"));
        assertThat(sessions(DeviceSessions.Limits.DEFAULT).recover()).hasSize(1);
        assertThat(restoreLatest("restored").resolve("a.txt")).hasContent("uploaded before the disk failed");
    }

    @Test
    void aLongSessionIsCheckpointedAndTheEndBuildsOnTheCheckpoint() throws Exception {
        DeviceSessions s = sessions(new DeviceSessions.Limits(Duration.ofHours(1), 10, Duration.ofMillis(50), DeviceSessions.Limits.DEFAULT.backlogBytes(),
                DeviceSessions.Limits.DEFAULT.quiet()));
        DeviceSessions.Lease lease = s.open("laptop");
        put(lease.overlay(), List.of("first.txt"), "checkpointed while the session runs");
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (engine.snapshots().list("laptop").isEmpty()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        Snapshot checkpoint = engine.snapshots().list("laptop").get(0);
        assertThat(checkpoint.tags()).containsExactly("checkpoint");
        put(lease.overlay(), List.of("second.txt"), "after it");
        lease.close();
        s.close();

        List<Snapshot> all = engine.snapshots().list("laptop");
        assertThat(all).hasSizeGreaterThanOrEqualTo(2);
        Snapshot last = all.get(all.size() - 1);
        assertThat(last.parent()).isNotNull();
        Path restored = restoreLatest("restored");
        assertThat(restored.resolve("first.txt")).hasContent("checkpointed while the session runs");
        assertThat(restored.resolve("second.txt")).hasContent("after it");
    }

    @Test
    void aSessionThatDeletesAndRenamesCountsTheFilesGoneFromTheirOldPaths() throws Exception {
        DeviceSessions s = sessions(DeviceSessions.Limits.DEFAULT);
        try (DeviceSessions.Lease first = s.open("laptop")) {
            Overlay o = first.overlay();
            o.mkdir(List.of("old"), 0755);
            o.mkdir(List.of("moved"), 0755);
            for (String f : List.of("a.txt", "b.txt", "c.txt", "old/1.txt", "old/2.txt", "old/3.txt", "moved/m.txt")) {
                put(o, List.of(f.split("/")), f);
            }
        }
        s.close();
        DeviceSessions again = sessions(DeviceSessions.Limits.DEFAULT);
        try (DeviceSessions.Lease second = again.open("laptop")) {
            Overlay o = second.overlay();
            o.remove(List.of("a.txt"));
            o.remove(List.of("b.txt"));
            for (String f : List.of("1.txt", "2.txt", "3.txt")) {
                o.remove(List.of("old", f));
            }
            o.rmdir(List.of("old"));
            o.rename(List.of("c.txt"), List.of("renamed.txt"), false);
            o.rename(List.of("moved"), List.of("elsewhere"), false);
        }
        again.close();

        List<Long> removed = catalog.jdbi().withHandle(h -> h.createQuery("SELECT files_removed FROM snapshots ORDER BY time")
                .mapTo(Long.class).list());
        // a, b, old/1..3, c.txt at its old path, moved/m.txt at its old path.
        assertThat(removed).containsExactly(0L, 7L);
    }

    @Test
    void twoConnectionsShareOneSessionAndASnapshotThatLandedMeanwhileIsKept() throws Exception {
        DeviceSessions s = sessions(DeviceSessions.Limits.DEFAULT);
        DeviceSessions.Lease a = s.open("laptop");
        DeviceSessions.Lease b = s.open("laptop");
        put(a.overlay(), List.of("from-a.txt"), "a");
        put(b.overlay(), List.of("from-b.txt"), "b");
        put(b.overlay(), List.of("both.txt"), "b wrote it last");
        // Meanwhile a backup of a NAS folder lands for the same device.
        Path folder = tmp.resolve("folder");
        TestTrees.write(folder.resolve("both.txt"), "the folder's version".getBytes());
        TestTrees.write(folder.resolve("from-folder.txt"), "folder".getBytes());
        engine.backupFolder("laptop", folder);
        a.close();
        b.close();
        s.close();

        List<Snapshot> all = engine.snapshots().list("laptop");
        assertThat(all).hasSize(2);
        assertThat(all.get(1).parent()).isEqualTo(all.get(0).id());
        Path restored = restoreLatest("restored");
        assertThat(restored.resolve("from-a.txt")).hasContent("a");
        assertThat(restored.resolve("from-b.txt")).hasContent("b");
        assertThat(restored.resolve("from-folder.txt")).hasContent("folder");
        assertThat(restored.resolve("both.txt")).hasContent("b wrote it last");
    }

    @Test
    void uploadsWaitWhileStoringLagsBeyondTheBacklogLimitAndGoOnAsItCatchesUp() throws Exception {
        // Storing would wait an hour for the upload to pause: past the limit it runs anyway.
        DeviceSessions s = sessions(new DeviceSessions.Limits(Duration.ofHours(1), Long.MAX_VALUE, Duration.ofHours(1), 10, Duration.ofHours(1)));
        // Occupy every store worker: storing then reads no further than its in-flight budget (64 MiB).
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < Runtime.getRuntime().availableProcessors() + 1; i++) {
            engine.storeWorkers().submit(() -> {
                release.await();
                return null;
            });
        }
        DeviceSessions.Lease lease = s.open("laptop");
        Overlay o = lease.overlay();
        // A file larger than the limit is written and closed: only closed files count.
        byte[] big = new byte[100 << 20];
        new java.util.Random(5).nextBytes(big);
        Overlay.WriteHandle w = o.openWrite(List.of("big.bin"), true, true, false, 0644);
        for (int off = 0; off < big.length; off += 1 << 20) {
            w.write(off, ByteBuffer.wrap(big, off, 1 << 20));
        }
        w.close(true);
        CompletableFuture<Void> next = CompletableFuture.runAsync(() -> {
            try {
                put(o, List.of("next.txt"), "written once storing has caught up");
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        Thread.sleep(500);
        assertThat(next).as("the second upload waits while storing lags").isNotDone();
        release.countDown();
        next.get(1, TimeUnit.MINUTES);
        lease.close();
        s.close();

        Path restored = restoreLatest("restored");
        assertThat(Files.readAllBytes(restored.resolve("big.bin"))).isEqualTo(big);
        assertThat(restored.resolve("next.txt")).hasContent("written once storing has caught up");
    }

    @Test
    void storingWaitsWhileTheUploadGoesOnAndStartsOnceItPauses() throws Exception {
        DeviceSessions s = sessionsStoringAfter(Duration.ofSeconds(5));
        DeviceSessions.Lease lease = s.open("laptop");
        Overlay o = lease.overlay();
        put(o, List.of("closed-first.txt"), "closed while the upload goes on");
        long closed = "closed while the upload goes on".length();
        Overlay.WriteHandle slow = o.openWrite(List.of("still-uploading.bin"), true, true, false, 0644);
        for (int i = 0; i < 20; i++) {
            slow.write(i, ByteBuffer.wrap(new byte[] {(byte) i}));
            Thread.sleep(100);
            assertThat(o.backlogBytes()).as("nothing is read for storing while writes keep coming").isEqualTo(closed);
        }
        slow.close(true);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (o.backlogBytes() > 0) {
            assertThat(System.nanoTime()).as("storing starts once the upload pauses").isLessThan(deadline);
            Thread.sleep(20);
        }
        lease.close();
        s.close();
        Path restored = restoreLatest("restored");
        assertThat(restored.resolve("closed-first.txt")).hasContent("closed while the upload goes on");
        assertThat(restored.resolve("still-uploading.bin")).hasSize(20);
    }

    @Test
    void theSessionsEndStoresWhatWaitsWithoutWaitingForAPause() throws Exception {
        DeviceSessions s = sessionsStoringAfter(Duration.ofHours(1));
        DeviceSessions.Lease lease = s.open("laptop");
        put(lease.overlay(), List.of("a.txt"), "stored when the client disconnects");
        endWithinAMinute(lease, s);
        assertThat(restoreLatest("restored").resolve("a.txt")).hasContent("stored when the client disconnects");
    }

    @Test
    void nearItsQuotaADeviceIsRefusedOnlyForWhatItsFilesAddOnceStored() throws Exception {
        devices.setQuota("laptop", 1 << 20);
        DeviceSessions s = sessionsStoringAfter(Duration.ofHours(1));
        DeviceSessions.Lease lease = s.open("laptop");
        Overlay o = lease.overlay();
        // 700 KiB of text that compresses to almost nothing, then 700 KiB of noise: 1.4 MiB as
        // uploaded, well under 1 MiB as stored.
        put(o, List.of("notes.txt"), "the same line again and again\n".repeat(700 * 1024 / 30));
        byte[] noise = new byte[700 << 10];
        new java.util.Random(7).nextBytes(noise);
        Overlay.WriteHandle w = o.openWrite(List.of("photo.raw"), true, true, false, 0644);
        w.write(0, ByteBuffer.wrap(noise));
        w.close(true);
        byte[] more = new byte[700 << 10];
        new java.util.Random(8).nextBytes(more);
        Overlay.WriteHandle over = o.openWrite(List.of("too-much.raw"), true, true, false, 0644);
        assertThatThrownBy(() -> over.write(0, ByteBuffer.wrap(more))).isInstanceOf(QuotaExceededException.class);
        over.close(false);
        lease.close();
        s.close();
        Path restored = restoreLatest("restored");
        assertThat(Files.readAllBytes(restored.resolve("photo.raw"))).isEqualTo(noise);
        assertThat(restored.resolve("notes.txt")).hasSize("the same line again and again\n".repeat(700 * 1024 / 30).length());
        assertThat(restored.resolve("too-much.raw")).doesNotExist();
    }

    @Test
    void aFileThatCannotBeStoredFailsTheCommitInsteadOfHangingIt() throws Exception {
        DeviceSessions s = sessionsStoringAfter(Duration.ofHours(1));
        DeviceSessions.Lease lease = s.open("laptop");
        put(lease.overlay(), List.of("a.txt"), "its chunks wait in the batch for the next file");
        put(lease.overlay(), List.of("b.txt"), "whose spool file is gone");
        try (var spools = Files.walk(sessionsDir)) {
            Path b = spools.filter(p -> p.getFileName().toString().startsWith("spool-"))
                    .filter(p -> p.toFile().length() == "whose spool file is gone".length()).findFirst().orElseThrow();
            Files.delete(b);
        }
        endWithinAMinute(lease, s);
        assertThat(engine.snapshots().list("laptop")).as("the failed session is left to its journal").isEmpty();
        try (var left = Files.list(sessionsDir)) {
            assertThat(left).isNotEmpty();
        }
    }

    /**
     * The system clock, except that the first look at it from a thread named "client-…" (inside the
     * first session start: taking the repository lock) waits until {@link #release}.
     */
    private static final class StartHoldingClock extends Clock {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            // Only the sessions' own look at the clock is held; another zone is the plain system clock.
            return zone.equals(getZone()) ? this : Clock.system(zone);
        }

        @Override
        public java.time.Instant instant() {
            if (Thread.currentThread().getName().startsWith("client-") && first.compareAndSet(true, false)) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return java.time.Instant.now();
        }
    }

    private static ExecutorService clients(int n) {
        java.util.concurrent.atomic.AtomicInteger seq = new java.util.concurrent.atomic.AtomicInteger();
        return Executors.newFixedThreadPool(n, r -> new Thread(r, "client-" + seq.incrementAndGet()));
    }

    private static CompletableFuture<DeviceSessions.Lease> connect(DeviceSessions s, ExecutorService clients) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return s.open("laptop");
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, clients);
    }

    @Test
    void connectionsThatArriveWhileTheDevicesSessionStartsJoinIt() throws Exception {
        StartHoldingClock clock = new StartHoldingClock();
        DeviceSessions s = new DeviceSessions(engine, catalog, devices, sessionsDir, clock, DeviceSessions.Limits.DEFAULT);
        int n = 6;
        ExecutorService clients = clients(n);
        try {
            List<CompletableFuture<DeviceSessions.Lease>> leases = new ArrayList<>();
            leases.add(connect(s, clients));
            assertThat(clock.held.await(1, TimeUnit.MINUTES)).isTrue();
            for (int i = 1; i < n; i++) {
                leases.add(connect(s, clients));
            }
            Thread.sleep(300);
            assertThat(leases).as("the others wait for the start").noneMatch(CompletableFuture::isDone);
            assertThat(s.liveDevices()).isEqualTo(1);
            clock.release.countDown();
            Set<Overlay> overlays = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < n; i++) {
                DeviceSessions.Lease lease = leases.get(i).get(1, TimeUnit.MINUTES);
                overlays.add(lease.overlay());
                put(lease.overlay(), List.of("from-" + i + ".txt"), "connection " + i);
            }
            assertThat(overlays).as("one session however many connections").hasSize(1);
            for (int i = 1; i < n; i++) {
                leases.get(i).get().close();
            }
            // Still open through the first connection: what it writes now is in the snapshot.
            put(leases.get(0).get().overlay(), List.of("last.txt"), "written after the others left");
            endWithinAMinute(leases.get(0).get(), s);
        } finally {
            clock.release.countDown();
            clients.shutdownNow();
        }
        assertThat(engine.snapshots().list("laptop")).hasSize(1);
        Path restored = restoreLatest("restored");
        for (int i = 0; i < n; i++) {
            assertThat(restored.resolve("from-" + i + ".txt")).hasContent("connection " + i);
        }
        assertThat(restored.resolve("last.txt")).hasContent("written after the others left");
    }

    @Test
    void aSessionStillStartingWhenTheSessionsCloseGivesUpAndLeavesNothing() throws Exception {
        StartHoldingClock clock = new StartHoldingClock();
        DeviceSessions s = new DeviceSessions(engine, catalog, devices, sessionsDir, clock, DeviceSessions.Limits.DEFAULT);
        ExecutorService clients = clients(1);
        try {
            CompletableFuture<DeviceSessions.Lease> lease = connect(s, clients);
            assertThat(clock.held.await(1, TimeUnit.MINUTES)).isTrue();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
            Thread.sleep(300);
            assertThat(closing).as("close waits for the start").isNotDone();
            clock.release.countDown();
            closing.get(1, TimeUnit.MINUTES);
            assertThatThrownBy(() -> lease.get(1, TimeUnit.MINUTES)).hasRootCauseMessage(
                    "the appliance is shutting down; connect again once it is back");
            assertThatThrownBy(() -> s.open("laptop")).hasMessageContaining("shutting down");
        } finally {
            clock.release.countDown();
            clients.shutdownNow();
        }
        try (var left = Files.list(sessionsDir)) {
            assertThat(left).as("no journal to replay").isEmpty();
        }
        try (var locks = Files.list(Engine.repositoryDir(tmp.resolve("data")).resolve("locks"))) {
            assertThat(locks).as("its repository lock is gone").isEmpty();
        }
    }
}
