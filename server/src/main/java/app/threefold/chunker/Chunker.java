package app.threefold.chunker;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A keyed content-defined chunker after FastCDC (Xia et al., 2016/2020): a 64-bit gear rolling
 * hash, normalized chunking at level 2, and no hashing of the first {@code minSize} bytes.
 *
 * <p>The gear table comes from a 32-byte per-repository key, so chunk boundaries, and with them
 * the chunk sizes an observer of the repository sees, do not fingerprint well-known files.
 * Instances are immutable and thread-safe.
 */
public final class Chunker {

    static final int KEY_LENGTH = 32;

    private final ChunkerParams params;
    private final long[] gear;
    /** Below the average size: two more bits than log2(avg), so cuts there are 4× rarer. */
    private final long maskSmall;
    /** Above the average size: two fewer bits, so cuts there are 4× likelier. */
    private final long maskLarge;

    public Chunker(ChunkerParams params, byte[] key) {
        this.params = Objects.requireNonNull(params, "params");
        this.gear = gearTable(key);
        int bits = Integer.numberOfTrailingZeros(params.avgSize());
        this.maskSmall = topBits(bits + 2);
        this.maskLarge = topBits(bits - 2);
    }

    public ChunkerParams params() {
        return params;
    }

    /**
     * Length of the next chunk at {@code buf[off, off+len)}: the cut point. Returns {@code len} if
     * there is no cut before the end and {@code len < maxSize}; callers that have not reached the
     * end of their data must then supply at least {@code maxSize} bytes and ask again.
     */
    public int cut(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        int min = params.minSize();
        if (len <= min) {
            return len;
        }
        int max = params.maxSize();
        int end = off + Math.min(len, max);
        int normal = off + Math.min(len, params.avgSize());
        long[] g = gear;
        long ms = maskSmall;
        long ml = maskLarge;
        long fp = 0;
        int i = off + min;
        for (; i < normal; i++) {
            fp = (fp << 1) + g[buf[i] & 0xff];
            if ((fp & ms) == 0) {
                return i + 1 - off;
            }
        }
        for (; i < end; i++) {
            fp = (fp << 1) + g[buf[i] & 0xff];
            if ((fp & ml) == 0) {
                return i + 1 - off;
            }
        }
        return end - off;
    }

    /** Splits a stream; each chunk is a fresh byte[] the caller may hand to another thread. */
    public ChunkReader reader(InputStream in) {
        return new ChunkReader(this, Objects.requireNonNull(in, "in"));
    }

    /**
     * The mask tests the top bits: with a left-shifting gear hash, bit k depends on the last k+1
     * bytes only, so the top bits see the widest window (43 bytes or more for every legal mask).
     */
    private static long topBits(int n) {
        return -1L << (64 - n);
    }

    /** Gear values are SHA-256(key || i) for i = 0..63 as big-endian 32-bit counters, 4 values each. */
    private static long[] gearTable(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("chunker key must be " + KEY_LENGTH + " bytes, got " + key.length);
        }
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java platform must provide", e);
        }
        long[] table = new long[256];
        ByteBuffer counter = ByteBuffer.allocate(4);
        for (int block = 0; block < 64; block++) {
            sha256.update(key);
            sha256.update(counter.clear().putInt(block).array());
            ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
            for (int j = 0; j < 4; j++) {
                table[block * 4 + j] = digest.getLong();
            }
        }
        return table;
    }
}
