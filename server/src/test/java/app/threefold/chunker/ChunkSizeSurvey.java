package app.threefold.chunker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Measures what chunk sizes buy on the shared benchmark dataset: chunks each file of a base tree,
 * then of its mutated copy, deduplicates chunks by SHA-256, and prints one table row per size.
 *
 * <pre>ChunkSizeSurvey BASE_DIR MUTATED_DIR [SIZE ...]</pre>
 * A SIZE is an average ({@code 128K}: min = avg/4, max = avg*2, see {@link ChunkerParams#forAverage}) or {@code MIN:AVG:MAX}
 * ({@code 64K:256K:4M}). Run it through bench/chunker/run.
 */
public final class ChunkSizeSurvey {

    /** What one chunk costs in the catalog's index (id, pack, offset, lengths, row overhead). */
    private static final int INDEX_BYTES_PER_CHUNK = 100;
    private static final int THROUGHPUT_SAMPLE = 128 * 1024 * 1024;
    private static final int THROUGHPUT_ROUNDS = 5;

    private final byte[] key = new byte[Chunker.KEY_LENGTH];
    private final MessageDigest sha256;

    private ChunkSizeSurvey() throws NoSuchAlgorithmException {
        Arrays.fill(key, (byte) 0x5a);
        sha256 = MessageDigest.getInstance("SHA-256");
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ChunkSizeSurvey BASE_DIR MUTATED_DIR [AVG | MIN:AVG:MAX ...]");
            System.exit(2);
        }
        Path base = Path.of(args[0]);
        Path mutated = Path.of(args[1]);
        List<ChunkerParams> shapes = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            shapes.add(parse(args[i]));
        }
        if (shapes.isEmpty()) {
            for (int kib : new int[] {64, 128, 256, 512, 1024}) {
                shapes.add(ChunkerParams.forAverage(kib * 1024));
            }
        }
        new ChunkSizeSurvey().run(base, mutated, shapes);
    }

    private void run(Path base, Path mutated, List<ChunkerParams> shapes) throws IOException {
        List<Path> baseFiles = files(base);
        List<Path> mutatedFiles = files(mutated);
        byte[] sample = throughputSample(baseFiles);
        System.out.printf(Locale.ROOT, "base %s: %d files; mutated: %d files; throughput sample %d MiB%n",
                base, baseFiles.size(), mutatedFiles.size(), sample.length >> 20);
        System.out.println("| min / avg / max | chunks base | unique chunks | unique MB | dedup base | dedup vm "
                + "| chunks mutated | added by mutated MB | index MB (both) | chunker MB/s median / best | chunk+SHA MB/s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (ChunkerParams params : shapes) {
            Chunker chunker = new Chunker(params, key);
            Set<ByteBuffer> seen = new HashSet<>();
            long start = System.nanoTime();
            Tally first = chunkTree(chunker, base, baseFiles, seen);
            double seconds = (System.nanoTime() - start) / 1e9;
            Tally second = chunkTree(chunker, mutated, mutatedFiles, seen);
            double[] mbps = throughput(chunker, sample);
            System.out.printf(Locale.ROOT,
                    "| %s / %s / %s | %,d | %,d | %,.1f | %.3f× | %.3f× | %,d | %,.1f | %.2f | %,.0f / %,.0f | %,.0f |%n",
                    size(params.minSize()), size(params.avgSize()), size(params.maxSize()),
                    first.chunks, first.newChunks, first.newBytes / 1e6,
                    (double) first.bytes / first.newBytes, (double) first.vmBytes / first.vmNewBytes,
                    second.chunks, second.newBytes / 1e6,
                    (first.newChunks + second.newChunks) * (double) INDEX_BYTES_PER_CHUNK / 1e6,
                    mbps[0], mbps[1], first.bytes / 1e6 / seconds);
        }
    }

    /** Counts for one tree; "new" means a chunk id not seen in this or an earlier tree. */
    private static final class Tally {
        long chunks;
        long bytes;
        long newChunks;
        long newBytes;
        long vmBytes;
        long vmNewBytes;
    }

    private Tally chunkTree(Chunker chunker, Path root, List<Path> files, Set<ByteBuffer> seen) throws IOException {
        Tally tally = new Tally();
        for (Path file : files) {
            boolean vm = root.relativize(file).startsWith("vm");
            try (ChunkReader reader = chunker.reader(Files.newInputStream(file))) {
                for (byte[] chunk = reader.next(); chunk != null; chunk = reader.next()) {
                    tally.chunks++;
                    tally.bytes += chunk.length;
                    boolean fresh = seen.add(ByteBuffer.wrap(sha256.digest(chunk)));
                    if (fresh) {
                        tally.newChunks++;
                        tally.newBytes += chunk.length;
                    }
                    if (vm) {
                        tally.vmBytes += chunk.length;
                        tally.vmNewBytes += fresh ? chunk.length : 0;
                    }
                }
            }
        }
        return tally;
    }

    /**
     * Median and best MB/s of cut() alone over an in-memory sample, after one warm-up round. The
     * best is the better guide on a machine shared with other work; the median shows the spread.
     */
    private static double[] throughput(Chunker chunker, byte[] sample) {
        double[] rates = new double[THROUGHPUT_ROUNDS];
        long checksum = 0;
        for (int round = -1; round < THROUGHPUT_ROUNDS; round++) {
            long start = System.nanoTime();
            for (int off = 0; off < sample.length; ) {
                int n = chunker.cut(sample, off, sample.length - off);
                checksum += n;
                off += n;
            }
            if (round >= 0) {
                rates[round] = sample.length / 1e6 / ((System.nanoTime() - start) / 1e9);
            }
        }
        if (checksum != (long) sample.length * (THROUGHPUT_ROUNDS + 1)) {
            throw new IllegalStateException("chunks did not cover the sample");
        }
        Arrays.sort(rates);
        return new double[] {rates[THROUGHPUT_ROUNDS / 2], rates[THROUGHPUT_ROUNDS - 1]};
    }

    /** Equal thirds of photos, documents and vm image, so the rate reflects the mix. */
    private static byte[] throughputSample(List<Path> files) throws IOException {
        byte[] sample = new byte[THROUGHPUT_SAMPLE];
        int third = THROUGHPUT_SAMPLE / 3;
        int filled = 0;
        for (String part : new String[] {"photos", "documents", "vm"}) {
            int target = part.equals("vm") ? THROUGHPUT_SAMPLE : filled + third;
            for (Path file : files) {
                if (filled >= target) {
                    break;
                }
                if (!file.toString().contains("/" + part + "/")) {
                    continue;
                }
                try (InputStream in = Files.newInputStream(file)) {
                    filled += in.readNBytes(sample, filled, target - filled);
                }
            }
        }
        return Arrays.copyOf(sample, filled);
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static ChunkerParams parse(String spec) {
        String[] parts = spec.split(":");
        if (parts.length == 1) {
            return ChunkerParams.forAverage(bytes(parts[0]));
        }
        if (parts.length == 3) {
            return new ChunkerParams(bytes(parts[0]), bytes(parts[1]), bytes(parts[2]));
        }
        throw new IllegalArgumentException("size must be AVG or MIN:AVG:MAX like 256K or 64K:256K:2M, got " + spec);
    }

    private static int bytes(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        if (u.endsWith("K")) {
            return Integer.parseInt(u.substring(0, u.length() - 1)) * 1024;
        }
        if (u.endsWith("M")) {
            return Integer.parseInt(u.substring(0, u.length() - 1)) * 1024 * 1024;
        }
        return Integer.parseInt(u);
    }

    private static String size(int bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + "M" : bytes / 1024 + "K";
    }
}
