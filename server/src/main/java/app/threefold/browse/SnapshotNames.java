package app.threefold.browse;

import app.threefold.tree.NameCharset;

/**
 * Names inside snapshots are bytes, which the code carries as strings that keep every byte (valid
 * UTF-8 as text, other bytes as lone surrogates, see {@code tree.NameCharset}). This is how the edges
 * turn them into link bytes and back, and into text for people.
 */
public final class SnapshotNames {

    private SnapshotNames() {
    }

    /** The bytes of a name or path, exactly as the device sent them. */
    public static byte[] toBytes(String name) {
        return NameCharset.toBytes(name);
    }

    /** The string for a name's or path's bytes; {@link #toBytes} gives them back unchanged. */
    public static String fromBytes(byte[] name) {
        return NameCharset.fromBytes(name);
    }

    /** A name or path for people: bytes that are not UTF-8 as {@code \xff}, control characters escaped. */
    public static String shown(String name) {
        return NameCharset.printable(name);
    }
}
