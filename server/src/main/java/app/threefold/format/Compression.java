package app.threefold.format;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * zstd as the format uses it: for blobs (compressed only when it pays) and for the
 * "unpacked" files (index, snapshots, locks), which carry a one-byte encoding version.
 */
public final class Compression {
    /** Encoding version of a zstd-compressed unpacked file (restic format version 2). */
    private static final byte ENCODING_ZSTD = 2;

    /**
     * Level 1: on the benchmark dataset level 3 costs ~40 % more compression CPU for a repository
     * only 0.7 % smaller (bench/engine), and CPU, not disk, limits a NAS backup.
     */
    public static final int DEFAULT_LEVEL = 1;

    private final int level;
    /**
     * One zstd context per thread: creating a context per blob (what the static helpers do)
     * costs as much as compressing a 128 KiB blob, because its tables are allocated and cleared.
     */
    private final ThreadLocal<ZstdCompressCtx> contexts;
    private final ThreadLocal<ZstdCompressCtx> probes = ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(1));
    private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESSORS = ThreadLocal.withInitial(ZstdDecompressCtx::new);

    public Compression(int level) {
        this.level = level;
        this.contexts = ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(level));
    }

    /**
     * Compresses a blob, or returns null if compression saves less than 1/32 of its size — a
     * photo or an already-compressed archive is then stored as it is.
     */
    public byte[] compressBlob(byte[] plain, int off, int len) {
        if (len >= 4 * SAMPLE && looksIncompressible(plain, off, len)) {
            return null;
        }
        // Output larger than this is not worth storing; zstd reports "destination too small" then.
        byte[] out = new byte[len - (len >>> 5)];
        int n;
        try {
            n = contexts.get().compressByteArray(out, 0, out.length, plain, off, len);
        } catch (ZstdException e) {
            return null;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Bytes taken from each of three places of a blob to guess whether it compresses. */
    private static final int SAMPLE = 4096;

    /**
     * Photos, videos and archives do not compress, and zstd spends as long failing on them as it
     * spends succeeding on text. A fast compression of three samples tells them apart first.
     */
    private boolean looksIncompressible(byte[] plain, int off, int len) {
        byte[] sample = new byte[3 * SAMPLE];
        System.arraycopy(plain, off, sample, 0, SAMPLE);
        System.arraycopy(plain, off + len / 2 - SAMPLE / 2, sample, SAMPLE, SAMPLE);
        System.arraycopy(plain, off + len - SAMPLE, sample, 2 * SAMPLE, SAMPLE);
        byte[] out = new byte[sample.length - (sample.length >>> 5)];
        try {
            probes.get().compressByteArray(out, 0, out.length, sample, 0, sample.length);
            return false;
        } catch (ZstdException e) {
            return true;
        }
    }

    public static byte[] decompress(byte[] compressed, int expectedLength) {
        byte[] out = new byte[expectedLength];
        int n;
        try {
            n = DECOMPRESSORS.get().decompressByteArray(out, 0, expectedLength, compressed, 0, compressed.length);
        } catch (ZstdException e) {
            throw new FormatException("a compressed blob does not decompress: " + e.getMessage(), e);
        }
        if (n != expectedLength) {
            throw new FormatException("a compressed blob decompresses to " + n + " bytes, not its recorded " + expectedLength);
        }
        return out;
    }

    /** Encodes a JSON document as an unpacked file's plaintext: version byte 2, then zstd. */
    public byte[] encodeUnpacked(byte[] json) {
        byte[] compressed = Zstd.compress(json, level);
        byte[] out = new byte[compressed.length + 1];
        out[0] = ENCODING_ZSTD;
        System.arraycopy(compressed, 0, out, 1, compressed.length);
        return out;
    }

    /** Decodes an unpacked file's plaintext: plain JSON (format 1, or '{'/'[' first) or version 2. */
    public static byte[] decodeUnpacked(byte[] plaintext) {
        if (plaintext.length == 0) {
            throw new FormatException("an unpacked file is empty");
        }
        byte version = plaintext[0];
        if (version == '{' || version == '[') {
            return plaintext;
        }
        if (version != ENCODING_ZSTD) {
            throw new FormatException("unknown encoding version " + version + " of an unpacked file");
        }
        long size = Zstd.getFrameContentSize(plaintext, 1, plaintext.length - 1);
        if (size >= 0 && size < Integer.MAX_VALUE) {
            byte[] out = new byte[(int) size];
            long n = Zstd.decompressByteArray(out, 0, out.length, plaintext, 1, plaintext.length - 1);
            if (Zstd.isError(n) || n != size) {
                throw new FormatException("an unpacked file does not decompress: " + Zstd.getErrorName(n));
            }
            return out;
        }
        // Frames written in streaming mode do not record their size.
        try (var in = new com.github.luben.zstd.ZstdInputStream(
                new java.io.ByteArrayInputStream(plaintext, 1, plaintext.length - 1))) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new FormatException("an unpacked file does not decompress", e);
        }
    }
}
