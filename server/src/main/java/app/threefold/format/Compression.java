package app.threefold.format;

import com.github.luben.zstd.Zstd;

/**
 * zstd as the format uses it: for blobs (compressed only when it pays) and for the
 * "unpacked" files (index, snapshots, locks), which carry a one-byte encoding version.
 */
public final class Compression {
    /** Encoding version of a zstd-compressed unpacked file (restic format version 2). */
    private static final byte ENCODING_ZSTD = 2;

    /** zstd level for blobs: level 3 costs ~25 % more CPU than 1 for ~8 % smaller text. */
    private final int level;

    public Compression(int level) {
        this.level = level;
    }

    /**
     * Compresses a blob, or returns null if compression saves less than 1/32 of its size — a
     * photo or an already-compressed archive is then stored as it is.
     */
    public byte[] compressBlob(byte[] plain, int off, int len) {
        long bound = Zstd.compressBound(len);
        byte[] out = new byte[(int) bound];
        long n = Zstd.compressByteArray(out, 0, out.length, plain, off, len, level);
        if (Zstd.isError(n)) {
            throw new IllegalStateException("zstd failed: " + Zstd.getErrorName(n));
        }
        if (n >= len - (len >>> 5)) {
            return null;
        }
        return java.util.Arrays.copyOf(out, (int) n);
    }

    public static byte[] decompress(byte[] compressed, int expectedLength) {
        byte[] out = new byte[expectedLength];
        long n = Zstd.decompressByteArray(out, 0, expectedLength, compressed, 0, compressed.length);
        if (Zstd.isError(n) || n != expectedLength) {
            throw new FormatException("a compressed blob does not decompress to its recorded length "
                    + expectedLength + (Zstd.isError(n) ? ": " + Zstd.getErrorName(n) : ", got " + n));
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
