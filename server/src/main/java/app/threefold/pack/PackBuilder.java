package app.threefold.pack;

import app.threefold.crypto.Crypto;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Accumulates encrypted blobs of one type into a pack file:
 * {@code blob* || seal(header) || uint32le(len(seal(header)))}. Not thread-safe.
 * The pack id (SHA-256 of the whole file) is computed in {@link #finish}, which callers run
 * outside any lock they hold while adding.
 */
public final class PackBuilder {
    private static final int ENTRY_PLAIN = 1 + 4 + Id.LENGTH;
    private static final int ENTRY_COMPRESSED = 1 + 4 + 4 + Id.LENGTH;

    private final BlobType type;
    private final Crypto crypto;
    private final List<PackEntry> entries = new ArrayList<>();
    private byte[] buffer;
    private int size;

    public PackBuilder(BlobType type, Crypto crypto, int expectedSize) {
        this.type = type;
        this.crypto = crypto;
        this.buffer = new byte[Math.max(expectedSize, 1 << 16)];
    }

    public BlobType type() {
        return type;
    }

    /** Bytes of blobs so far. */
    public int size() {
        return size;
    }

    public int count() {
        return entries.size();
    }

    /**
     * Appends one blob as sealed by {@link Crypto}: {@code sealed} is IV || ciphertext || MAC of
     * the (possibly compressed) plaintext; {@code uncompressedLength} is 0 if not compressed.
     */
    public void add(Id id, byte[] sealed, int uncompressedLength) {
        add(id, sealed, 0, sealed.length, uncompressedLength);
    }

    /** Appends one sealed blob held at {@code off}, {@code len} in {@code buf}, e.g. a run read from an old pack. */
    public void add(Id id, byte[] buf, int off, int len, int uncompressedLength) {
        ensure(len);
        System.arraycopy(buf, off, buffer, size, len);
        entries.add(new PackEntry(id, type, size, len, uncompressedLength));
        size += len;
    }

    /** Seals the header and returns the finished pack; the builder must not be used again. */
    public Pack finish() {
        if (entries.isEmpty()) {
            throw new IllegalStateException("an empty pack cannot be written");
        }
        byte[] header = encodeHeader(entries);
        byte[] sealedHeader = crypto.seal(header);
        ensure(sealedHeader.length + 4);
        System.arraycopy(sealedHeader, 0, buffer, size, sealedHeader.length);
        size += sealedHeader.length;
        int n = sealedHeader.length;
        buffer[size] = (byte) n;
        buffer[size + 1] = (byte) (n >>> 8);
        buffer[size + 2] = (byte) (n >>> 16);
        buffer[size + 3] = (byte) (n >>> 24);
        size += 4;
        Pack pack = new Pack(Id.hash(buffer, 0, size), type, buffer, size, List.copyOf(entries));
        buffer = null;
        return pack;
    }

    /** Bytes the entry takes in the pack's header before encryption. */
    public static int headerEntryLength(PackEntry e) {
        return e.compressed() ? ENTRY_COMPRESSED : ENTRY_PLAIN;
    }

    static byte[] encodeHeader(List<PackEntry> entries) {
        int length = 0;
        for (PackEntry e : entries) {
            length += headerEntryLength(e);
        }
        byte[] header = new byte[length];
        int p = 0;
        for (PackEntry e : entries) {
            header[p++] = (byte) ((e.type() == BlobType.TREE ? 1 : 0) | (e.compressed() ? 2 : 0));
            p = putInt(header, p, e.length());
            if (e.compressed()) {
                p = putInt(header, p, e.uncompressedLength());
            }
            e.id().copyTo(header, p);
            p += Id.LENGTH;
        }
        return header;
    }

    private static int putInt(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
        return p + 4;
    }

    private void ensure(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
        }
    }

    /** A finished pack: its id, its bytes {@code [0, length)} of {@code bytes}, and its entries. */
    public record Pack(Id id, BlobType type, byte[] bytes, int length, List<PackEntry> entries) {
    }
}
