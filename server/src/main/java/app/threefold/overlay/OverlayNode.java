package app.threefold.overlay;

import app.threefold.format.Id;
import app.threefold.tree.Node;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One entry of the overlay: a node of the base snapshot, possibly changed. Folders read their
 * entries from the repository on first use; a folder nobody touched keeps its tree id. A file's
 * bytes are in one of three places ({@link Bytes}). Guarded by the overlay's lock.
 */
final class OverlayNode {
    /** The node as the base snapshot (or the last checkpoint) has it; null for an entry made in this session. */
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
    /** Whether this node or anything below it differs from {@link #base}. */
    boolean changed;
    boolean readOnly;
    /** Folders: whether {@link #children} holds the entries yet (they are read from {@link #base} on first use). */
    boolean listed;
    /** Folders: entries by name, once {@link #listed} (see {@link #list}); files and links share the empty map. */
    Map<String, OverlayNode> children = Map.of();
    /** Files: where their bytes are. */
    Bytes bytes = new InRepository(List.of());

    /** Where a file's bytes are. */
    sealed interface Bytes permits InRepository, Spooled, Writing {
    }

    /** In the repository: the base snapshot's file, or one stored and committed since. */
    record InRepository(List<Id> content) implements Bytes {
    }

    /**
     * Closed in this session: the spool holds the bytes, and serves reads, until the session
     * commits; storing chunks them into the repository meanwhile.
     */
    record Spooled(Path spool, CompletableFuture<List<Id>> storing) implements Bytes {
        /** The stored content; empty while storing runs or if it failed. */
        Optional<List<Id>> stored() {
            return storing.isDone() && !storing.isCompletedExceptionally() ? Optional.of(storing.join()) : Optional.empty();
        }
    }

    /** Open for writing: the spool fills; what it replaces stays at the path if the write is abandoned. */
    record Writing(Path spool, Optional<OverlayNode> replaces) implements Bytes {
    }

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
        o.bytes = new InRepository(n.isFile() && n.content() != null ? n.content() : List.of());
        o.readOnly = readOnly;
        return o;
    }

    /** A folder made in this session (or a root with nothing below it yet): nothing to read. */
    static OverlayNode newFolder(OverlayNode parent, String name, int permissions, Instant mtime) {
        OverlayNode n = new OverlayNode();
        n.parent = parent;
        n.name = name;
        n.kind = Entry.Kind.DIRECTORY;
        n.permissions = permissions;
        n.mtime = mtime;
        n.list();
        return n;
    }

    /** Makes {@link #children} the folder's own map of entries, to fill. */
    Map<String, OverlayNode> list() {
        if (!listed) {
            children = new LinkedHashMap<>();
            listed = true;
        }
        return children;
    }

    boolean isDir() {
        return kind == Entry.Kind.DIRECTORY;
    }

    boolean isWriting() {
        return bytes instanceof Writing;
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

    /** The names from the root to this node; empty if it was removed from the tree. */
    Optional<List<String>> path() {
        java.util.ArrayDeque<String> names = new java.util.ArrayDeque<>();
        OverlayNode n = this;
        while (n.parent != null) {
            if (!n.parent.listed || n.parent.children.get(n.name) != n) {
                return Optional.empty();
            }
            names.addFirst(n.name);
            n = n.parent;
        }
        return Optional.of(List.copyOf(names));
    }
}
