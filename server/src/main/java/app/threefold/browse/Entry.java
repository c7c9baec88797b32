package app.threefold.browse;

import app.threefold.tree.NameCharset;
import app.threefold.tree.Node;
import java.time.Instant;

/**
 * One entry of a snapshot as the panel shows it. {@code name} and {@code path} ("/a/b") hold the
 * name's bytes losslessly as strings ({@link SnapshotNames}); {@link #shown()} is the form for
 * people, with {@code \xff} for bytes that are not UTF-8. {@code type} is restic's node type
 * ({@value #FILE}, {@value #FOLDER}, {@code symlink}, {@code dev}, …); {@code mtime} may be null.
 */
public record Entry(String name, String type, long size, Instant mtime, String path) {

    public static final String FILE = Node.FILE;
    public static final String FOLDER = Node.DIR;

    static Entry of(Node n, String path) {
        return new Entry(n.name(), n.type(), n.size(), n.mtime(), path);
    }

    /** A snapshot's root folder, which has no node of its own. */
    static Entry root() {
        return new Entry("", FOLDER, 0, null, "/");
    }

    public boolean folder() {
        return FOLDER.equals(type);
    }

    public boolean file() {
        return FILE.equals(type);
    }

    /** The name's bytes, exactly as the device sent them. */
    public byte[] nameBytes() {
        return NameCharset.toBytes(name);
    }

    /** The name for people: valid UTF-8 as it is, other bytes as {@code \xff}, control characters escaped. */
    public String shown() {
        return NameCharset.printable(name);
    }
}
