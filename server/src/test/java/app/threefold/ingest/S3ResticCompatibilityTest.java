package app.threefold.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.S3Backend;
import app.threefold.backend.S3Server;
import app.threefold.backend.S3Settings;
import app.threefold.chunker.ChunkerParams;
import app.threefold.index.MemoryIndex;
import app.threefold.repository.Repository;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import app.threefold.restore.Restorer;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * restic 0.14 judges a repository Threefold keeps in an S3 bucket, opened as
 * {@code restic -r s3:http://127.0.0.1:PORT/BUCKET/PREFIX} with nothing but the two AWS
 * variables, and Threefold reads a bucket restic wrote. (restic's minio-go client picks path
 * style by itself for an IP address and asks s3proxy for the bucket's region, so no
 * {@code -o s3.*} option is needed.)
 */
class S3ResticCompatibilityTest {
    static final String PASSWORD = ResticCompatibilityTest.PASSWORD;

    static S3Server server;

    @TempDir
    Path tmp;
    final ExecutorService workers = Executors.newFixedThreadPool(2);

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    @Test
    void aTreeBackedUpByThreefoldIntoABucketPassesResticCheckReadDataAndRestoresByteIdentical() throws Exception {
        Path source = TestTrees.awkward(tmp.resolve("source"), 11);
        // Larger than one 16 MiB pack and incompressible, so full-size packs cross the wire too.
        TestTrees.write(source.resolve("videos/clip.bin"), TestTrees.bytes(new Random(11), 24 << 20));
        S3Settings settings = server.settings(server.createBucket(), "threefold/nas");

        IngestSession.Result result;
        try (S3Backend backend = S3Backend.create(settings)) {
            Repository repo = Repository.create(backend, PASSWORD.toCharArray(), ResticCompatibilityTest.FAST_KDF,
                    new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
            result = new Backups(repo, workers, ContentDigests.NONE, Clock.systemUTC(), ChunkerParams.DEFAULT)
                    .backupFolder("laptop", source);
        }

        assertThat(result.problems()).isEmpty();
        ResticCli restic = new ResticCli(settings.resticRepository(), PASSWORD, server.resticEnvironment());
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
        assertThat(restic.ok("snapshots")).contains("laptop").contains(result.snapshot().id().shortHex());
        Path restored = tmp.resolve("restored");
        restic.ok("restore", "latest", "--target", restored.toString());
        TestTrees.assertSameTree(source, restored);
    }

    @Test
    void aBucketResticBackedUpIntoIsListedAndRestoredByThreefold() throws Exception {
        Path source = TestTrees.awkward(tmp.resolve("source"), 12);
        S3Settings settings = server.settings(server.createBucket(), "from-restic");
        ResticCli restic = new ResticCli(settings.resticRepository(), PASSWORD, server.resticEnvironment());
        restic.ok("init", "--repository-version", "2");
        restic.ok("backup", "--host", "desktop", source.toString());

        try (S3Backend backend = S3Backend.open(settings)) {
            Repository repo = Repository.open(backend, PASSWORD.toCharArray(), new MemoryIndex(), new SecureRandom());
            repo.syncIndex();
            List<Snapshot> snapshots = new Snapshots(repo).list(null);
            assertThat(snapshots).singleElement().satisfies(s -> assertThat(s.hostname()).isEqualTo("desktop"));

            Path restored = tmp.resolve("restored");
            new Restorer(repo, workers).restore(snapshots.get(0).tree(), source.toString(), restored);
            TestTrees.assertSameTree(source, restored);
        }
    }
}
