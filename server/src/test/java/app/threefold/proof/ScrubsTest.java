package app.threefold.proof;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.LocalBackend;
import app.threefold.backend.ObjectCopy;
import app.threefold.backend.S3Backend;
import app.threefold.backend.S3Server;
import app.threefold.backend.S3Settings;
import app.threefold.catalog.Catalog;
import app.threefold.check.Scrub;
import app.threefold.index.MemoryIndex;
import app.threefold.catalog.TestDatabase;
import app.threefold.ingest.IngestSession;
import app.threefold.jobs.Job;
import app.threefold.jobs.RestoreProofs;
import app.threefold.mirror.Target;
import app.threefold.prune.Prune;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrub of the NAS's repository and of a bucket on a real S3 server (s3proxy on loopback): a pack
 * damaged or lost on the NAS is found and put back from the bucket, after which restic itself
 * reads every byte of the NAS's repository clean; a pack damaged everywhere is named with the
 * files and snapshots it takes with it.
 */
@ExtendWith(TestDatabase.class)
class ScrubsTest {

    static S3Server server;

    @TempDir
    Path tmp;
    ProofFixture appliance;
    IngestSession.Result backup;

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
        appliance = new ProofFixture(catalog, tmp);
        Path src = tmp.resolve("src");
        TestTrees.write(src.resolve("photos/cat.jpg"), TestTrees.bytes(new Random(7), 2 << 20));
        TestTrees.write(src.resolve("notes.txt"), "keep me\n".getBytes());
        backup = appliance.engine.backupFolder("laptop", src);
    }

    @AfterEach
    void stop() throws Exception {
        appliance.close();
    }

    @Test
    void aPackDamagedOnTheNasIsFoundRepairedFromTheBucketAndResticReadsTheRepositoryCleanAgain() throws Exception {
        Target bucket = appliance.bucket(server, "Backblaze");
        Path damaged = TestTrees.flipByteInLargestPack(appliance.repository(), 500);
        ResticCli restic = new ResticCli(appliance.repository(), ProofFixture.RECOVERY);
        assertThat(restic.run("check", "--read-data").exitCode()).as("the damage is real").isNotZero();

        Job scrub = appliance.awaitEnd(appliance.scrubs.start(RestoreProofs.LOCAL, "admin"));

        assertThat(scrub.state()).as(scrub.error()).isEqualTo(Job.State.SUCCEEDED);
        assertThat(scrub.result()).containsEntry("verdict", "repaired").containsEntry("copy", "local");
        assertThat(list(scrub, "damaged")).extracting(d -> d.get("pack")).containsExactly(damaged.getFileName().toString());
        assertThat(list(scrub, "repaired")).containsExactly(Map.of("pack", damaged.getFileName().toString(), "from", "Backblaze"));
        assertThat(list(scrub, "unrepaired")).isEmpty();
        assertThat(list(scrub, "affected")).isEmpty();
        String check = restic.ok("check", "--read-data");
        assertThat(check).contains("no errors were found");
        assertThat(appliance.awaitEnd(appliance.restoreTests.start("laptop", RestoreProofs.LOCAL, "admin")).result())
                .containsEntry("verdict", "passed");

        // Kept: the alerts part asks for damage found; a second scrub finds none.
        assertThat(appliance.scrubs.damageFound()).singleElement().satisfies(o -> {
            assertThat(o.verdict()).isEqualTo("repaired");
            assertThat(o.repaired()).hasSize(1);
        });
        Job again = appliance.awaitEnd(appliance.scrubs.start("Backblaze", "admin"));
        assertThat(again.result()).as("the bucket's own copy was good").containsEntry("verdict", "clean")
                .containsEntry("copy", bucket.id().toString());
        assertThat(appliance.awaitEnd(appliance.scrubs.start(RestoreProofs.LOCAL, "admin")).result())
                .containsEntry("verdict", "clean");
        assertThat(appliance.scrubs.damageFound()).isEmpty();
    }

    @Test
    void aPackMissingOnTheNasIsPutBackFromTheBucket() throws Exception {
        appliance.bucket(server, "Backblaze");
        Path pack;
        try (var packs = Files.walk(appliance.repository().resolve("data"))) {
            pack = packs.filter(Files::isRegularFile).max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        byte[] before = Files.readAllBytes(pack);
        Files.delete(pack);

        Job scrub = appliance.awaitEnd(appliance.scrubs.start(RestoreProofs.LOCAL, "admin"));

        assertThat(scrub.result()).containsEntry("verdict", "repaired");
        assertThat(list(scrub, "damaged").get(0).get("reason")).asString().contains("missing");
        assertThat(Files.readAllBytes(pack)).isEqualTo(before);
        new ResticCli(appliance.repository(), ProofFixture.RECOVERY).ok("check", "--read-data");
    }

    @Test
    void aPackAPruneRemovedWhileTheScrubRanIsNotPutBackByTheRepair() throws Exception {
        // A second device's backup, in a pack of its own (the largest), that a forget and a prune remove.
        Path phone = tmp.resolve("phone");
        TestTrees.write(phone.resolve("video.mp4"), TestTrees.bytes(new Random(11), 3 << 20));
        IngestSession.Result gone = appliance.engine.backupFolder("phone", phone);
        Target bucket = appliance.bucket(server, "Backblaze");
        Path damaged = TestTrees.flipByteInLargestPack(appliance.repository(), 500);
        Repository repository = appliance.engine.repository();
        Scrub scrub = new Scrub(repository, Scrub.Pace.NONE, appliance.clock);
        Scrub.DamagedPack found = scrub.run(p -> { }).damaged().get(0);
        assertThat(found.pack().hex()).isEqualTo(damaged.getFileName().toString());

        // Between the scrub's read and its repair, the snapshot is forgotten and a prune removes the pack.
        repository.backend().remove(new Handle(FileType.SNAPSHOT, gone.snapshot().id().hex()));
        new Prune(repository, appliance.engine.catalogIndex(), appliance.engine.workers(), appliance.clock)
                .run(Prune.Options.DEFAULT, Prune.Progress.NONE);
        assertThat(damaged).doesNotExist();
        Repository copy = repository.openCopy(appliance.targets.open(bucket.id()), new MemoryIndex());
        List<String> attempts = new ArrayList<>();
        Optional<Scrub.Repaired> repaired = scrub.repair((LocalBackend) repository.backend(), found,
                List.of(new Scrub.Source("Backblaze", copy, Scrub.Pace.NONE)), attempts);

        assertThat(damaged).as("nothing names the pack any more: put back, it would be a pack nothing uses").doesNotExist();
        assertThat(repaired).hasValueSatisfying(r -> assertThat(r.unneeded()).isTrue());
        assertThat(new ResticCli(appliance.repository(), ProofFixture.RECOVERY).ok("check"))
                .contains("no errors were found").doesNotContain("additional");
    }

    @Test
    void aRepairWaitsForARunningPruneToEnd() throws Exception {
        Target bucket = appliance.bucket(server, "Backblaze");
        Path damaged = TestTrees.flipByteInLargestPack(appliance.repository(), 500);
        Repository repository = appliance.engine.repository();
        Scrub scrub = new Scrub(repository, Scrub.Pace.NONE, appliance.clock);
        Scrub.DamagedPack found = scrub.run(p -> { }).damaged().get(0);
        Repository copy = repository.openCopy(appliance.targets.open(bucket.id()), new MemoryIndex());

        CompletableFuture<Optional<Scrub.Repaired>> repair;
        // A prune holds the repository alone: what a repair puts back it could be deleting right now.
        try (RepositoryLock prune = RepositoryLock.acquireExclusive(repository, appliance.clock, Duration.ZERO, n -> { })) {
            repair = CompletableFuture.supplyAsync(() -> {
                try {
                    return scrub.repair((LocalBackend) repository.backend(), found,
                            List.of(new Scrub.Source("Backblaze", copy, Scrub.Pace.NONE)), new ArrayList<>());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(1500);
            assertThat(repair).as("the repair waits while the prune runs").isNotDone();
            assertThat(Files.readAllBytes(damaged)).as("and has not touched the pack").isNotNull();
        }
        assertThat(repair.get(30, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.from()).isEqualTo("Backblaze"));
        new ResticCli(appliance.repository(), ProofFixture.RECOVERY).ok("check", "--read-data");
    }

    @Test
    void aPackDamagedOnTheNasAndOnTheBucketIsReportedWithTheFilesAndSnapshotsItTakes() throws Exception {
        Target target = appliance.bucket(server, "Backblaze");
        Path damaged = TestTrees.flipByteInLargestPack(appliance.repository(), 500);
        S3Settings settings = server.settings(target.s3().bucket(), target.s3().prefix());
        ObjectCopy.flipByte(server, settings, new Handle(app.threefold.backend.FileType.PACK,
                damaged.getFileName().toString()), 700);

        Job scrub = appliance.awaitEnd(appliance.scrubs.start(RestoreProofs.LOCAL, "admin"));

        assertThat(scrub.result()).containsEntry("verdict", "damaged");
        assertThat(list(scrub, "repaired")).isEmpty();
        assertThat(list(scrub, "unrepaired")).singleElement().satisfies(u -> {
            assertThat(u.get("pack")).isEqualTo(damaged.getFileName().toString());
            assertThat(u.get("attempts")).asString().contains("Backblaze").contains("SHA-256");
        });
        assertThat(list(scrub, "affected")).singleElement().satisfies(a -> {
            assertThat(a).containsEntry("snapshot", backup.snapshot().id().hex()).containsEntry("device", "laptop")
                    .containsEntry("path", "/photos/cat.jpg");
            assertThat(a.get("reason")).asString().contains("damaged");
        });
        assertThat(appliance.scrubs.damageFound()).singleElement()
                .satisfies(o -> assertThat(o.unrepaired()).hasSize(1));

        // The bucket's own scrub finds its damage too, and a bucket is never written by a scrub.
        Job bucketScrub = appliance.awaitEnd(appliance.scrubs.start(target.id().toString(), "admin"));
        assertThat(bucketScrub.result()).containsEntry("verdict", "damaged").containsEntry("copyName", "Backblaze");
        assertThat(list(bucketScrub, "affected")).extracting(a -> a.get("path")).containsExactly("/photos/cat.jpg");
    }

    @Test
    void damageNoCopyCouldRepairIsDroppedFromTheIndexSoTheNextBackupStoresTheFilesAgain() throws Exception {
        Target target = appliance.bucket(server, "Backblaze");
        Path damaged = TestTrees.flipByteInLargestPack(appliance.repository(), 500);
        S3Settings settings = server.settings(target.s3().bucket(), target.s3().prefix());
        ObjectCopy.flipByte(server, settings, new Handle(app.threefold.backend.FileType.PACK,
                damaged.getFileName().toString()), 700);
        assertThat(appliance.awaitEnd(appliance.scrubs.start(RestoreProofs.LOCAL, "admin")).result())
                .containsEntry("verdict", "damaged");

        // What the alert advises: back up again. The files are all still on the laptop.
        IngestSession.Result again = appliance.engine.backupFolder("laptop", tmp.resolve("src"));

        assertThat(again.snapshot().id()).isNotEqualTo(backup.snapshot().id());
        assertThat(new ResticCli(appliance.repository(), ProofFixture.RECOVERY).ok("check", "--read-data"))
                .contains("no errors were found");
        assertThat(appliance.awaitEnd(appliance.restoreTests.start("laptop", RestoreProofs.LOCAL, "admin")).result())
                .containsEntry("verdict", "passed");
        // The bucket's damaged object is removed from it, so the next sync sends the pack again if the NAS has it.
        Handle pack = new Handle(app.threefold.backend.FileType.PACK, damaged.getFileName().toString());
        assertThat(appliance.awaitEnd(appliance.scrubs.start(target.id().toString(), "admin")).result())
                .containsEntry("verdict", "damaged");
        try (var bucket = appliance.targets.open(target.id())) {
            assertThat(bucket.exists(pack)).isFalse();
        }
    }

    @Test
    void aPruneWaitsForTheScrubOfTheNasInsteadOfDeletingPacksUnderIt() throws Exception {
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        app.threefold.jobs.Jobs.ProgressSink slow = new app.threefold.jobs.Jobs.ProgressSink() {
            @Override
            public void report(double fraction, String message) {
            }

            @Override
            public void report(long done, long total, Job.Amount.Unit unit, String verb) {
                reading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        var scrub = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return appliance.scrubs.runNow(RestoreProofs.LOCAL, "admin", slow);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(reading.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        // What a prune takes first: it must wait for the scrub (here it gives up after 300 ms).
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> app.threefold.repository.RepositoryLock.acquireExclusive(
                        appliance.engine.repository(), java.time.Clock.systemUTC(), java.time.Duration.ofMillis(300), n -> { })
                .close()).isInstanceOf(app.threefold.repository.RepositoryException.class);
        release.countDown();
        assertThat(scrub.get(60, java.util.concurrent.TimeUnit.SECONDS).verdict()).isEqualTo("clean");
        app.threefold.repository.RepositoryLock.acquireExclusive(appliance.engine.repository(), java.time.Clock.systemUTC(),
                java.time.Duration.ofSeconds(5), n -> { }).close();
    }

    @Test
    void aScrubThatEndsInAnErrorDoesNotClearTheDamageTheLastCompleteScrubFound() throws Exception {
        appliance.bucket(server, "Backblaze");
        Target target = appliance.targets.list().getFirst();
        S3Settings settings = server.settings(target.s3().bucket(), target.s3().prefix());
        Path largest;
        try (var packs = Files.walk(appliance.repository().resolve("data"))) {
            largest = packs.filter(Files::isRegularFile).max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
                    .orElseThrow();
        }
        ObjectCopy.flipByte(server, settings, new Handle(app.threefold.backend.FileType.PACK,
                largest.getFileName().toString()), 700);
        assertThat(appliance.awaitEnd(appliance.scrubs.start(target.id().toString(), "admin")).result())
                .containsEntry("verdict", "damaged");
        assertThat(appliance.scrubs.damageFound()).hasSize(1);

        // The next scrub of the bucket breaks off (the connection drops half-way).
        app.threefold.jobs.Jobs.ProgressSink dropping = new app.threefold.jobs.Jobs.ProgressSink() {
            @Override
            public void report(double fraction, String message) {
            }

            @Override
            public void report(long done, long total, Job.Amount.Unit unit, String verb) {
                throw new IllegalStateException("connection reset");
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> appliance.scrubs.runNow(target.id().toString(), "admin", dropping))
                .hasMessageContaining("connection reset");

        assertThat(appliance.scrubs.latest()).singleElement().satisfies(o -> assertThat(o.verdict()).isEqualTo("error"));
        assertThat(appliance.scrubs.damageFound()).as("the damage is still there, nobody saw it go")
                .singleElement().satisfies(o -> assertThat(o.unrepaired()).hasSize(1));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Job job, String key) {
        return (List<Map<String, Object>>) job.result().get(key);
    }
}
