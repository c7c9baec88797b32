package app.threefold.format;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte SHA-256 id: of a blob's plaintext, or of a stored file's bytes (packs, index files,
 * snapshots, keys). Immutable; the array is never shared.
 */
public final class Id implements Comparable<Id> {
    public static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;
    private final int hash;

    private Id(byte[] bytes) {
        this.bytes = bytes;
        this.hash = (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    public static Id of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("an id has 32 bytes, not " + bytes.length);
        }
        return new Id(bytes.clone());
    }

    public static Id of(byte[] bytes, int off) {
        return new Id(Arrays.copyOfRange(bytes, off, off + LENGTH));
    }

    public static Id parse(String hex) {
        if (hex == null || hex.length() != 64) {
            throw new IllegalArgumentException("an id is 64 hex digits: " + hex);
        }
        return new Id(HEX.parseHex(hex));
    }

    /** SHA-256 of {@code data[off, off+len)}. */
    public static Id hash(byte[] data, int off, int len) {
        MessageDigest sha = sha256();
        sha.update(data, off, len);
        return new Id(sha.digest());
    }

    public static Id hash(byte[] data) {
        return hash(data, 0, data.length);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256", e);
        }
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public void copyTo(byte[] dest, int off) {
        System.arraycopy(bytes, 0, dest, off, LENGTH);
    }

    public String hex() {
        return HEX.formatHex(bytes);
    }

    /** The first 8 hex digits, as restic shows ids. */
    public String shortHex() {
        return hex().substring(0, 8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Id other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Id o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
