package app.threefold.repository;

import app.threefold.backend.LocalBackend;
import app.threefold.chunker.Chunker;
import app.threefold.chunker.ChunkerParams;
import app.threefold.crypto.KeyFile;
import app.threefold.format.Id;
import app.threefold.index.MemoryIndex;
import app.threefold.ingest.ContentDigests;
import app.threefold.ingest.ContentStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One writer storing new data into a local repository, as a backup or an upload does (chunk, hash,
 * compress, encrypt, pack, upload, index): prints MB/s per round. Not a test: run it by hand with
 * the test classpath, e.g. {@code java -cp server/target/classes:server/target/test-classes:<deps>
 * app.threefold.repository.SaverThroughput DIR [MiB] [ROUNDS]}. Half of the data is random, half
 * compressible text; every round's data is new, so nothing deduplicates.
 */
public final class SaverThroughput {
    private SaverThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        ExecutorService workers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors() + 1);
        ContentDigests digests = new ContentDigests() {
            @Override
            public void record(Id contentKey, long size, byte[] sha256) {
            }

            @Override
            public void flush() {
            }
        };
        List<Double> rates = new ArrayList<>();
        for (int round = 0; round <= rounds; round++) {
            List<byte[]> files = files(round, mib);
            Path repoDir = dir.resolve("round-" + round);
            Repository repo = Repository.create(LocalBackend.create(repoDir), "password".toCharArray(),
                    new KeyFile.Params(1024, 8, 1), new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
            Chunker chunker = new Chunker(ChunkerParams.DEFAULT, repo.chunkerKey());
            long start = System.nanoTime();
            try (BlobSaver saver = new BlobSaver(repo, workers)) {
                ContentStore store = new ContentStore(chunker, saver, digests, 96);
                List<ContentStore.Stored> stored = new ArrayList<>();
                for (byte[] f : files) {
                    stored.add(store.store(new ByteArrayInputStream(f)));
                }
                store.flush();
                for (ContentStore.Stored s : stored) {
                    s.content().join();
                }
                saver.flush();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = mib * 1.048576 / seconds;
            // Round 0 warms the JIT up and does not count.
            System.out.printf("round %d: %.2f s, %.0f MB/s%s%n", round, seconds, rate, round == 0 ? " (warm-up)" : "");
            if (round > 0) {
                rates.add(rate);
            }
            try (var walk = Files.walk(repoDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        workers.shutdown();
        double[] sorted = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("median %.0f MB/s over %d rounds%n", sorted[sorted.length / 2], sorted.length);
    }

    private static List<byte[]> files(int round, int mib) {
        SplittableRandom random = new SplittableRandom(round * 7919L + 1);
        byte[] words = "the quick brown fox jumps over a lazy dog while seven household laptops back up their photos "
                .getBytes(StandardCharsets.US_ASCII);
        List<byte[]> files = new ArrayList<>();
        for (int left = mib; left > 0; left -= 32) {
            byte[] f = new byte[Math.min(32, left) << 20];
            int half = f.length / 2;
            byte[] rnd = new byte[half];
            random.nextBytes(rnd);
            System.arraycopy(rnd, 0, f, 0, half);
            for (int p = half; p < f.length; ) {
                int w = random.nextInt(words.length);
                int n = Math.min(f.length - p, 1 + random.nextInt(40));
                for (int i = 0; i < n; i++) {
                    f[p + i] = words[(w + i) % words.length];
                }
                p += n;
                if (p < f.length) {
                    f[p++] = (byte) ('0' + random.nextInt(10));
                }
            }
            files.add(f);
        }
        return Arrays.asList(files.toArray(byte[][]::new));
    }
}
