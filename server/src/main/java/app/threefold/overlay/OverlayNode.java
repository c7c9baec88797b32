package app.threefold.overlay;

import app.threefold.format.Id;
import app.threefold.tree.Node;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One entry of the overlay: a node of the base snapshot, possibly changed. Folders load their
 * entries from the repository on first use; a folder nobody touched keeps its tree id. Guarded
 * by the overlay's lock, except the fields set when a spooled file has been stored.
 */
final class OverlayNode {
    /** The node as the base snapshot (or the last checkpoint) has it; null if new. */
    Node base;
    OverlayNode parent;
    String name;
    Entry.Kind kind;
    int permissions;
    Instant mtime;
    /** Whether the client set the mtime (else a written file gets the time it was closed). */
    boolean mtimeSet;
    long size;
    String linkTarget;
    /** Folders: entries by name once loaded, null before. */
    Map<String, OverlayNode> children;
    /** Whether this node or anything below it differs from {@link #base}. */
    boolean changed;
    boolean readOnly;

    /** Files: the stored content, null while a spool is being written or stored. */
    volatile List<Id> content;
    /** Files written in this session: the spool with their bytes until the session commits. */
    Path spool;
    /** Set when the spool is chunked into the repository. */
    CompletableFuture<List<Id>> storing;
    /** A file open for writing: what it replaces if the write is abandoned (may be null). */
    boolean writing;
    OverlayNode previous;

    static OverlayNode of(Node n, OverlayNode parent, boolean readOnly) {
        OverlayNode o = new OverlayNode();
        o.base = n;
        o.parent = parent;
        o.name = n.name();
        o.kind = n.isDir() ? Entry.Kind.DIRECTORY : n.isSymlink() ? Entry.Kind.SYMLINK : Entry.Kind.FILE;
        o.permissions = n.isSymlink() ? 0777 : n.permissions();
        o.mtime = n.mtime() == null ? Instant.EPOCH : n.mtime();
        o.size = n.isFile() ? n.size() : 0;
        o.linkTarget = n.linkTarget();
        o.content = n.isFile() ? (n.content() == null ? List.of() : n.content()) : null;
        o.readOnly = readOnly;
        return o;
    }

    boolean isDir() {
        return kind == Entry.Kind.DIRECTORY;
    }

    Entry entry() {
        return new Entry(name, kind, size, mtime, permissions, linkTarget);
    }

    /** Marks this node and its folders changed. */
    void touch() {
        for (OverlayNode n = this; n != null && !n.changed; n = n.parent) {
            n.changed = true;
        }
    }

    /** The names from the root to this node; null if it was removed from the tree. */
    List<String> path() {
        java.util.ArrayDeque<String> names = new java.util.ArrayDeque<>();
        OverlayNode n = this;
        while (n.parent != null) {
            if (n.parent.children == null || n.parent.children.get(n.name) != n) {
                return null;
            }
            names.addFirst(n.name);
            n = n.parent;
        }
        return List.copyOf(names);
    }
}
