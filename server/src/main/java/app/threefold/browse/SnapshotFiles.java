package app.threefold.browse;

import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.restore.ContentReader;
import app.threefold.tree.Node;
import app.threefold.tree.TreeWalk;
import app.threefold.tree.Trees;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reading the files of snapshots, the one place for it: finding an entry by its path, listing a
 * folder a page at a time in the order people read it, opening a file's content, walking a folder
 * (for zips), comparing two snapshots and searching names, over one cache of decoded trees.
 * The panel asks here and streams what it gets; restores resolve their paths through {@link #trees()}.
 * Thread-safe; one per repository.
 */
public final class SnapshotFiles {

    /** Decoded tree entries kept in memory, across browsing, search, compare and restores. */
    static final int CACHED_ENTRIES = 400_000;

    /** Entries {@code [from, from + count)} of a folder in listing order, and how many it has in all. */
    public record FolderPage(List<Entry> entries, int total) {
    }

    /** One difference between two snapshots, at {@code path}; sizes are 0 on the side without the file. */
    public record Change(Kind kind, String path, long sizeBefore, long sizeAfter) {

        public enum Kind {
            ADDED, REMOVED, CHANGED;

            /** "added", "removed", "changed". */
            public String label() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    /** What changed between two snapshots, in path order; {@code truncated} when there was more than asked for. */
    public record Comparison(List<Change> changes, boolean truncated) {
    }

    /**
     * A file (one version of it) found in some of the snapshots searched: its path, size and mtime,
     * the newest snapshot holding it, and in how many snapshots it is.
     */
    public record Found<S>(String path, long size, Instant mtime, S newest, int snapshots) {
    }

    /** Files whose names matched, newest first; {@code truncated} when the search stopped at its limit. */
    public record Search<S>(List<Found<S>> hits, boolean truncated) {
    }

    /**
     * Sees one entry of a walk with what its folder's visit returned, and returns what the entries
     * inside it see if it is a folder (anything but null otherwise); null stops the walk.
     * {@code content} is the file's content for a file, null for anything else.
     */
    @FunctionalInterface
    public interface Visitor<S> {
        S visit(S parent, Entry entry, FileContent content) throws IOException;
    }

    private final Repository repository;
    private final TreeCache trees;

    public SnapshotFiles(Repository repository) {
        this.repository = repository;
        this.trees = new TreeCache(repository, CACHED_ENTRIES);
    }

    /** The trees behind this service, cached: for restores, which resolve paths as the panel does. */
    public Trees trees() {
        return trees;
    }

    /** The entry at {@code path}; for the root, a folder named "" at "/". Empty if the snapshot has no such entry. */
    public Optional<Entry> find(SnapshotRoot root, SnapshotPath path) throws IOException {
        if (path.isRoot()) {
            return Optional.of(Entry.root());
        }
        return Optional.ofNullable(trees.find(root.tree(), path.names())).map(n -> Entry.of(n, path.toString()));
    }

    /**
     * Entries {@code [from, from + count)} of the folder at {@code path} in listing order (folders
     * first, then names as people sort them, see {@link FolderOrder}). Only the page's entries are
     * decoded, so the first page of a 100,000-entry folder stays cheap.
     *
     * @throws IllegalArgumentException if there is no folder at {@code path} ({@link #find} says)
     */
    public FolderPage list(SnapshotRoot root, SnapshotPath path, int from, int count) throws IOException {
        Id tree = root.tree();
        if (!path.isRoot()) {
            Node folder = trees.find(root.tree(), path.names());
            if (folder == null || !folder.isDir()) {
                throw new IllegalArgumentException(path + " is not a folder of this snapshot");
            }
            tree = folder.subtree();
        }
        if (tree == null) {
            return new FolderPage(List.of(), 0);
        }
        String prefix = path.isRoot() ? "/" : path + "/";
        TreePage.Result page = TreePage.read(repository.loadBlob(BlobType.TREE, tree), Math.max(0, from), count, prefix);
        return new FolderPage(page.entries(), page.total());
    }

    /**
     * The content of the file at {@code path}, read a range at a time.
     *
     * @throws IllegalArgumentException if there is no file at {@code path} ({@link #find} says)
     */
    public FileContent open(SnapshotRoot root, SnapshotPath path) throws IOException {
        Node file = trees.find(root.tree(), path.names());
        if (file == null || !file.isFile()) {
            throw new IllegalArgumentException(path + " is not a file of this snapshot");
        }
        return content(file);
    }

    /**
     * Visits each entry at {@code paths}, and everything inside those that are folders, depth first
     * in tree order; a folder is visited before what it holds. A loop, not recursion: a tree may be
     * 2,048 folders deep.
     *
     * @return false if the visitor stopped the walk
     * @throws IllegalArgumentException if a path names no entry ({@link #find} says)
     */
    public <S> boolean walk(SnapshotRoot root, List<SnapshotPath> paths, S state, Visitor<S> visitor) throws IOException {
        for (SnapshotPath path : paths) {
            Node node = path.isRoot() ? null : trees.find(root.tree(), path.names());
            if (!path.isRoot() && node == null) {
                throw new IllegalArgumentException(path + " is not in this snapshot");
            }
            Entry entry = node == null ? Entry.root() : Entry.of(node, path.toString());
            S inside = visitor.visit(state, entry, node != null && node.isFile() ? content(node) : null);
            if (inside == null) {
                return false;
            }
            Id tree = node == null ? root.tree() : node.isDir() ? node.subtree() : null;
            if (tree != null && !TreeWalk.walk(tree, path.isRoot() ? "" : path.toString(), inside,
                    (id, at) -> trees.load(id),
                    (parent, at, n) -> visitor.visit(parent, Entry.of(n, at), n.isFile() ? content(n) : null))) {
                return false;
            }
        }
        return true;
    }

    /**
     * What changed from snapshot {@code from} to {@code to}, file by file in path order, at most
     * {@code limit} changes. Folders whose tree is the same on both sides are skipped unread.
     */
    public Comparison compare(SnapshotRoot from, SnapshotRoot to, int limit) throws IOException {
        List<Change> changes = new SnapshotDiff(trees, limit).diff(from.tree(), to.tree());
        boolean truncated = changes.size() > limit;
        return new Comparison(truncated ? List.copyOf(changes.subList(0, limit)) : changes, truncated);
    }

    /**
     * Files whose names contain {@code query} (case-insensitive) in {@code snapshots}, newest
     * first; each version of a file once, with the newest snapshot that holds it. Stops at {@code limit} hits.
     */
    public <S> Search<S> search(List<S> snapshots, Function<S, SnapshotRoot> root, String query, int limit)
            throws IOException {
        return new NameSearch<>(trees, root, limit).search(snapshots, query);
    }

    /** The versions of the file at {@code path} in {@code snapshots} (newest first), each once with its newest snapshot. */
    public <S> List<Found<S>> history(List<S> snapshots, Function<S, SnapshotRoot> root, SnapshotPath path)
            throws IOException {
        return new NameSearch<>(trees, root, Integer.MAX_VALUE).history(snapshots, path);
    }

    private FileContent content(Node file) {
        return new FileContent(new ContentReader(repository, file.content()));
    }
}
