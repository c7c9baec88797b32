package app.threefold.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.audit.AuditLog;
import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.S3Backend;
import app.threefold.backend.S3Server;
import app.threefold.backend.S3Settings;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Syncs to a real S3 server (s3proxy on 127.0.0.1), judged by restic reading the bucket. */
@ExtendWith(TestDatabase.class)
class SyncToBucketTest {

    static S3Server server;
    static SourceRepository source;
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;
    Catalog catalog;
    Jobs jobs;
    Targets targets;

    @BeforeAll
    static void start() throws Exception {
        server = S3Server.start();
        source = SourceRepository.create(shared.resolve("source"), 7, 40);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @BeforeEach
    void setUp(Catalog catalog) {
        this.catalog = catalog;
        jobs = new Jobs(catalog.jdbi(), Clock.systemUTC());
        targets = new Targets(catalog.jdbi(), jobs, () -> Optional.of(source.backend()),
                new AuditLog(catalog.jdbi(), Clock.systemUTC()), tmp, Clock.systemUTC(), ZoneOffset.UTC,
                new Targets.Settings(4, new Retry(6, Duration.ofMillis(20), Duration.ofMillis(200)), Duration.ofDays(7)));
    }

    @AfterEach
    void tearDown() throws Exception {
        jobs.close();
    }

    private TargetId bucketTarget(S3Settings settings) {
        return targets.addS3("bucket", settings, Target.NIGHTLY, 0, "admin").id();
    }

    private ResticCli restic(S3Settings settings) {
        return new ResticCli(settings.resticRepository(), SourceRepository.PASSWORD, server.resticEnvironment());
    }

    private void assertResticRestoresTheSource(S3Settings settings) throws Exception {
        ResticCli restic = restic(settings);
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
        Path restored = tmp.resolve("restored-" + System.nanoTime());
        restic.ok("restore", "latest", "--target", restored.toString());
        TestTrees.assertSameTree(source.files(), restored);
    }

    private static Map<Handle, Long> objects(Backend backend) throws Exception {
        Map<Handle, Long> all = new HashMap<>();
        for (FileType type : List.of(FileType.CONFIG, FileType.KEY, FileType.PACK, FileType.INDEX, FileType.SNAPSHOT)) {
            backend.list(type, info -> all.put(info.handle(), info.size()));
        }
        return all;
    }

    @Test
    void aSyncedBucketPassesResticCheckReadDataAndRestoresTheSourceByteIdentical() throws Exception {
        S3Settings settings = server.settings(server.createBucket(), "threefold/copy");
        TargetId id = bucketTarget(settings);

        // Through the job, as the panel and the API start it.
        Job job = targets.sync(id, false, "admin");
        CompletableFuture<Job> ended = new CompletableFuture<>();
        List<Job> seen = new ArrayList<>();
        jobs.listen(job.id(), j -> {
            seen.add(j);
            if (j.done()) {
                ended.complete(j);
            }
        });
        Job done = ended.get(2, TimeUnit.MINUTES);

        assertThat(done.state()).as("%s", done.error()).isEqualTo(Job.State.SUCCEEDED);
        assertThat(done.result()).containsEntry("fullListing", true);
        assertThat(((Number) done.result().get("objects")).longValue()).isEqualTo(objects(source.backend()).size());
        assertThat(seen).anySatisfy(j -> assertThat(j.amount()).isNotNull());
        assertThat(targets.get(id).lastSync().state()).isEqualTo(Target.LastSync.State.SUCCEEDED);
        assertThat(targets.get(id).lastSync().objects()).isEqualTo(objects(source.backend()).size());
        assertResticRestoresTheSource(settings);
    }

    @Test
    void aSecondSyncWithNothingNewSendsNothingAndDoesNotListTheBucket() throws Exception {
        S3Settings settings = server.settings(server.createBucket(), "again");
        TargetId id = bucketTarget(settings);
        targets.syncNow(id, false, "admin", null, p -> { });

        SyncResult second = targets.syncNow(id, false, "admin", null, p -> { });

        assertThat(second.fullListing()).isFalse();
        assertThat(second.objectsSent()).isZero();
        assertThat(second.objectsOnTarget()).isEqualTo(objects(source.backend()).size());
    }

    @Test
    void aPackDeletedFromTheBucketByHandIsSentAgainByTheNextFullListing() throws Exception {
        S3Settings settings = server.settings(server.createBucket(), "drift");
        TargetId id = bucketTarget(settings);
        targets.syncNow(id, false, "admin", null, p -> { });
        Handle pack = objects(source.backend()).keySet().stream().filter(h -> h.type() == FileType.PACK).findFirst()
                .orElseThrow();
        try (var client = server.client()) {
            client.deleteObject(b -> b.bucket(settings.bucket()).key(settings.prefix() + "/" + pack.path()));
        }
        assertThat(restic(settings).run("check").exitCode()).isNotZero();

        SyncResult trusted = targets.syncNow(id, false, "admin", null, p -> { });
        SyncResult listed = targets.syncNow(id, true, "admin", null, p -> { });

        assertThat(trusted.objectsSent()).as("without a listing the ledger is trusted").isZero();
        assertThat(listed.objectsSent()).isEqualTo(1);
        assertResticRestoresTheSource(settings);
    }

    @Test
    void aBucketEmptiedAfterASyncIsFilledAgainByTheNextSyncAndTestingTheConnectionChangesNothing() throws Exception {
        S3Settings settings = server.settings(server.createBucket(), "emptied");
        TargetId id = bucketTarget(settings);
        targets.syncNow(id, false, "admin", null, p -> { });
        try (var client = server.client()) {
            for (var object : client.listObjectsV2Paginator(b -> b.bucket(settings.bucket())).contents()) {
                client.deleteObject(b -> b.bucket(settings.bucket()).key(object.key()));
            }
        }
        assertThat(targets.testConnection(id).holdsCopy()).isFalse();

        SyncResult again = targets.syncNow(id, false, "admin", null, p -> { });

        assertThat(again.objectsSent()).as("the record of what the bucket held is gone with it")
                .isEqualTo(objects(source.backend()).size());
        assertResticRestoresTheSource(settings);
    }

    @Test
    void aSyncCutOffHalfWayResumesAndSendsOnlyWhatWasMissing() throws Exception {
        S3Settings settings = server.settings(server.createBucket(), "resume");
        TargetId id = bucketTarget(settings);
        int total = objects(source.backend()).size();
        Sync.Options options = new Sync.Options(1, 0, new Retry(1, Duration.ZERO, Duration.ZERO), false, true);

        try (S3Backend bucket = S3Backend.create(settings)) {
            CountingBackend failing = new CountingBackend(bucket, 3);
            assertThatThrownBy(() -> new Sync(source.backend(), failing, targets.ledger(id), options, p -> { }).run())
                    .hasMessageContaining("link to");
            assertThat(failing.saved).hasSize(3);
            assertThat(restic(settings).ok("snapshots")).as("a cut-off copy names no snapshot yet").doesNotContain("laptop");

            CountingBackend counting = new CountingBackend(bucket);
            SyncResult resumed = new Sync(source.backend(), counting, targets.ledger(id),
                    new Sync.Options(4, 0, Retry.DEFAULT, false, false), p -> { }).run();

            assertThat(counting.listings).as("the ledger said what was there").hasValue(0);
            assertThat(counting.saved).hasSize(total - 3).doesNotContainAnyElementsOf(failing.saved);
            assertThat(resumed.objectsSent()).isEqualTo(total - 3);
        }
        assertResticRestoresTheSource(settings);
    }

    @Test
    void aBackupAfterASyncSendsOnlyTheNewObjects() throws Exception {
        SourceRepository own = SourceRepository.create(tmp.resolve("own"), 9, 2);
        Targets mine = new Targets(catalog.jdbi(), jobs, () -> Optional.of(own.backend()),
                new AuditLog(catalog.jdbi(), Clock.systemUTC()), tmp, Clock.systemUTC(), ZoneOffset.UTC,
                Targets.Settings.DEFAULT);
        S3Settings settings = server.settings(server.createBucket(), "");
        TargetId id = mine.addS3("bucket", settings, Target.NIGHTLY, 0, "admin").id();
        mine.syncNow(id, false, "admin", null, p -> { });
        Map<Handle, Long> before = objects(own.backend());

        own.backupAgain(10);
        SyncResult second = mine.syncNow(id, false, "admin", null, p -> { });

        Map<Handle, Long> after = objects(own.backend());
        assertThat(second.objectsSent()).isEqualTo(after.size() - before.size()).isGreaterThanOrEqualTo(3);
        ResticCli restic = restic(settings);
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
        assertThat(restic.ok("snapshots").lines().filter(l -> l.contains("laptop")).count()).isEqualTo(2);
    }

    @Test
    void aServerAnswering503ToAShareOfRequestsAndDroppingUploadsMidWayStillGetsEveryObjectWholeOnce() throws Exception {
        String bucket = server.createBucket();
        try (FaultProxy proxy = new FaultProxy(server.endpoint(), 14).unavailable(0.5).dropUploads(0.3)) {
            S3Settings throughProxy = S3Settings.of(proxy.endpoint(), S3Server.REGION, bucket, "faulty",
                    S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
            TargetId id = bucketTarget(throughProxy);

            SyncResult result = targets.syncNow(id, false, "admin", null, p -> { });

            assertThat(proxy.unavailable.get()).as("503s answered").isPositive();
            assertThat(proxy.dropped.get()).as("uploads cut off").isPositive();
            assertThat(result.objectsOnTarget()).isEqualTo(objects(source.backend()).size());
        }
        S3Settings direct = server.settings(bucket, "faulty");
        try (S3Backend copy = S3Backend.open(direct)) {
            assertThat(objects(copy)).isEqualTo(objects(source.backend()));
        }
        assertResticRestoresTheSource(direct);
    }

    @Test
    void aBucketHoldingAnotherRepositoryIsRefusedAndLeftAlone() throws Exception {
        S3Settings settings = server.settings(server.createBucket(), "other");
        ResticCli other = restic(settings);
        other.ok("init", "--repository-version", "2");
        TargetId id = bucketTarget(settings);

        assertThatThrownBy(() -> targets.syncNow(id, false, "admin", null, p -> { }))
                .isInstanceOf(ForeignRepositoryException.class).hasMessageContaining("another repository");
        assertThat(other.ok("check")).contains("no errors were found");
        assertThat(targets.get(id).lastSync().state()).isEqualTo(Target.LastSync.State.FAILED);
    }

    @Test
    void refusedCredentialsFailTheSyncWithWhatToCheckAndNeverShowTheSecret() throws Exception {
        S3Settings wrong = server.settings(server.createBucket(), "x").withCredentials(S3Server.ACCESS_KEY, "not-the-secret");
        TargetId id = bucketTarget(wrong);
        assertThatThrownBy(() -> targets.syncNow(id, false, "admin", null, p -> { }))
                .isInstanceOf(app.threefold.backend.CredentialsRefusedException.class)
                .hasMessageContaining("check the access key and secret").hasMessageNotContaining("not-the-secret");

        assertThat(targets.get(id).lastSync().error()).doesNotContain("not-the-secret");
    }

    @Test
    void testingTheConnectionSaysWhetherACopyIsThereAndNamesAMissingBucket() throws Exception {
        S3Settings settings = server.settings(server.createBucket(), "tested");
        TargetId id = bucketTarget(settings);
        TargetId missing = targets.addS3("missing", server.settings("no-such-bucket", ""), Target.NIGHTLY, 0, "admin").id();

        assertThat(targets.testConnection(id).holdsCopy()).isFalse();
        targets.syncNow(id, false, "admin", null, p -> { });
        Targets.ConnectionCheck after = targets.testConnection(id);

        assertThat(after.holdsCopy()).isTrue();
        assertThat(after.location()).isEqualTo(settings.resticRepository());
        assertThatThrownBy(() -> targets.testConnection(missing))
                .isInstanceOf(app.threefold.backend.NoSuchBucketException.class).hasMessageContaining("no-such-bucket");
        try (Backend copy = targets.open(id)) {
            assertThat(objects(copy)).isEqualTo(objects(source.backend()));
        }
    }
}
