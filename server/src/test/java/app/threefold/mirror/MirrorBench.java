package app.threefold.mirror;

import app.threefold.audit.AuditLog;
import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.LocalBackend;
import app.threefold.backend.S3Settings;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.chunker.ChunkerParams;
import app.threefold.index.MemoryIndex;
import app.threefold.ingest.Backups;
import app.threefold.ingest.ContentDigests;
import app.threefold.jobs.Jobs;
import app.threefold.repository.Repository;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * {@code bench/mirror/run}'s measuring part: one s3proxy on 127.0.0.1 (objects on disk), then in
 * one run {@code rclone copy} of the repository folder to one bucket, Threefold's sync
 * ({@link Targets#syncNow}, what a sync job runs) of the same repository to another, a second sync
 * with nothing new, and a sync limited to 10 MB/s to a third. Prints tab-separated results.
 *
 * <p>Usage: {@code MirrorBench DATA WORK}: makes {@code WORK/repository} from {@code DATA} with
 * Threefold's own backup code if it is not there yet.
 */
public final class MirrorBench {

    private static final String KEY = "bench";
    private static final String SECRET = "bench-secret-0123456789";
    private static final long LIMIT = 10_000_000;

    private MirrorBench() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]).toAbsolutePath();
        Path work = Path.of(args[1]).toAbsolutePath();
        Path repo = work.resolve("repository");
        if (!Files.exists(repo.resolve("config"))) {
            System.err.println("backing up " + data + " into " + repo);
            makeRepository(data, repo);
        }
        LocalBackend local = LocalBackend.open(repo);
        long[] totals = totals(local);
        System.err.printf("repository: %d objects, %d bytes%n", totals[0], totals[1]);

        BlobStore store = fileStore(work.resolve("s3"));
        S3Proxy proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET).stopTimeout(0).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        for (String bucket : List.of("rclone", "threefold", "limited")) {
            store.createContainer(bucket);
        }
        try (Catalog catalog = TestDatabase.createCatalog(); Jobs jobs = new Jobs(catalog.jdbi(), Clock.systemUTC())) {
            Targets targets = new Targets(catalog.jdbi(), jobs, () -> Optional.<Backend>of(local),
                    new AuditLog(catalog.jdbi(), Clock.systemUTC()), Files.createDirectories(work.resolve("data-dir")),
                    Clock.systemUTC(), ZoneOffset.UTC, Targets.Settings.DEFAULT);
            System.out.println("tool\toperation\tseconds\tbytes\tMB/s");

            double rclone = rclone(repo, endpoint);
            row("rclone", "copy", rclone, totals[1]);

            TargetId first = targets.addS3("bench", s3(endpoint, "threefold"), Target.NIGHTLY, 0, "bench").id();
            SyncResult sync = timed(targets, first);
            row("threefold", "first sync", sync.took().toNanos() / 1e9, sync.bytesSent());

            SyncResult again = timed(targets, first);
            row("threefold", "second sync (nothing new)", again.took().toNanos() / 1e9, again.bytesSent());

            if (System.getenv("BENCH_SKIP_LIMITED") != null) {
                return;
            }
            TargetId limited = targets.addS3("limited", s3(endpoint, "limited"), Target.NIGHTLY, LIMIT, "bench").id();
            SyncResult slow = timed(targets, limited);
            row("threefold", "sync limited to 10 MB/s", slow.took().toNanos() / 1e9, slow.bytesSent());

            System.out.printf("# throughput vs rclone: %.2fx (target >= 1.0)%n",
                    (sync.bytesSent() / (sync.took().toNanos() / 1e9)) / (totals[1] / rclone));
            System.out.printf("# second sync: %.2f s (target < 2 s)%n", again.took().toNanos() / 1e9);
            System.out.printf("# limited rate: %.2f MB/s, %+.1f %% of 10 MB/s (target within 10 %%)%n",
                    slow.bytesSent() / (slow.took().toNanos() / 1e9) / 1e6,
                    (slow.bytesSent() / (slow.took().toNanos() / 1e9) / LIMIT - 1) * 100);
        } finally {
            proxy.stop();
            store.close();
        }
    }

    private static SyncResult timed(Targets targets, TargetId id) throws IOException {
        return targets.syncNow(id, false, "bench", null, p -> { });
    }

    private static void row(String tool, String operation, double seconds, long bytes) {
        System.out.printf("%s\t%s\t%.2f\t%d\t%.1f%n", tool, operation, seconds, bytes, bytes / seconds / 1e6);
    }

    private static S3Settings s3(URI endpoint, String bucket) {
        return S3Settings.of(endpoint, "us-east-1", bucket, "copy", KEY, SECRET);
    }

    private static BlobStore fileStore(Path dir) throws IOException {
        Files.createDirectories(dir);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toString());
        return BlobStores.create("filesystem", properties);
    }

    /** rclone with four transfers (its default, and the sync's parallelism), configured by environment. */
    private static double rclone(Path repo, URI endpoint) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("rclone", "copy", "--transfers", "4", "-q", repo.toString(),
                "bench:rclone/copy").inheritIO();
        Map<String, String> env = pb.environment();
        env.put("RCLONE_CONFIG_BENCH_TYPE", "s3");
        env.put("RCLONE_CONFIG_BENCH_PROVIDER", "Other");
        env.put("RCLONE_CONFIG_BENCH_ACCESS_KEY_ID", KEY);
        env.put("RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY", SECRET);
        env.put("RCLONE_CONFIG_BENCH_ENDPOINT", endpoint.toString());
        env.put("RCLONE_CONFIG_BENCH_REGION", "us-east-1");
        env.put("RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE", "true");
        // rclone 1.60's AWS SDK cannot apply a CA bundle to its own transport and refuses to start;
        // the loopback server speaks plain HTTP anyway.
        env.remove("AWS_CA_BUNDLE");
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("rclone copy failed");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static long[] totals(Backend backend) throws IOException {
        AtomicLong objects = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        for (FileType type : List.of(FileType.CONFIG, FileType.KEY, FileType.PACK, FileType.INDEX, FileType.SNAPSHOT)) {
            backend.list(type, info -> {
                objects.incrementAndGet();
                bytes.addAndGet(info.size());
            });
        }
        return new long[] {objects.get(), bytes.get()};
    }

    private static void makeRepository(Path data, Path repo) throws IOException {
        Repository repository = Repository.create(LocalBackend.create(repo), "bench password".toCharArray(),
                SourceRepository.FAST_KDF, new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
        ExecutorService workers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try {
            new Backups(repository, workers, ContentDigests.NONE, Clock.systemUTC(), ChunkerParams.DEFAULT)
                    .backupFolder("bench", data);
        } finally {
            workers.shutdownNow();
        }
    }
}
