package app.threefold.chunker;

/**
 * Chunk size limits of a {@link Chunker}: no chunk is shorter than {@code minSize} (except the
 * last of a stream) or longer than {@code maxSize}; cuts are placed so that chunks average about
 * {@code avgSize}, which must be a power of two.
 */
public record ChunkerParams(int minSize, int avgSize, int maxSize) {

    /**
     * 128 KiB average, 32 KiB minimum, 256 KiB maximum, chosen with {@code ChunkSizeSurvey} on the
     * shared 1.48 GB benchmark dataset (bench/chunker/README.md has the table). Against a 1 MiB
     * average (restic's size) it stores 1,343 MB instead of 1,480 MB, dedups the vm image's
     * shifted 1 MiB duplicates 1.34× instead of 1.00×, and the run after {@code mutate} adds
     * 109 MB instead of 234 MB, for 2.7× the chunks: ~8,400 per GB, ~0.85 MB of catalog index
     * per GB at ~100 bytes a chunk. 64 KiB would store 2 % less and add 13 % less per mutation
     * but needs 1.76× the index (~1.5 GB per TB of data, also held in memory by restic when it
     * checks or restores); 256 KiB saves 35 % of the index but stores 3 % more and adds 16 %
     * more per mutation. A maximum of twice the average cuts long zero runs into equal chunks
     * that dedup (vm image 1.34× against 1.25× with eight times), and ends only 1.3 % of the
     * chunks of random data.
     */
    public static final ChunkerParams DEFAULT = forAverage(128 * 1024);

    /** Smallest average the normalized masks support (2 bits fewer than log2(avg) must remain). */
    static final int MIN_AVG = 256;
    /** A chunk is held in memory whole; larger chunks would gain no dedup worth the memory. */
    static final int MAX_MAX = 64 * 1024 * 1024;

    public ChunkerParams {
        if (Integer.bitCount(avgSize) != 1 || avgSize < MIN_AVG) {
            throw new IllegalArgumentException("chunker average size must be a power of two of at least "
                    + MIN_AVG + " bytes, got " + avgSize);
        }
        if (minSize < 1 || minSize >= avgSize) {
            throw new IllegalArgumentException("chunker minimum size must be between 1 and the average ("
                    + avgSize + ") exclusive, got " + minSize);
        }
        if (maxSize <= avgSize || maxSize > MAX_MAX) {
            throw new IllegalArgumentException("chunker maximum size must be above the average ("
                    + avgSize + ") and at most " + MAX_MAX + ", got " + maxSize);
        }
    }

    /** The shape the survey found best: minimum a quarter of the average, maximum twice it. */
    public static ChunkerParams forAverage(int avgSize) {
        return new ChunkerParams(avgSize / 4, avgSize, avgSize * 2);
    }
}
