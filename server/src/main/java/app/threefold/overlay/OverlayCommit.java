package app.threefold.overlay;

import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.snapshot.SnapshotWriter;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Turns the session's tree into a snapshot through the {@link SnapshotWriter}, then settles the
 * tree on what was written. Untouched folders are kept whole (their tree ids stay); a file open
 * for writing keeps its previous version. Under the overlay's lock, after storing is done.
 */
final class OverlayCommit {
    private final OverlayTree tree;
    private final Repository repository;
    /** Each changed folder's entries as written, so that settling need not read back the trees just saved. */
    private final Map<OverlayNode, CompletableFuture<SnapshotWriter.SavedFolder>> written = new IdentityHashMap<>();

    OverlayCommit(OverlayTree tree, Repository repository) {
        this.tree = tree;
        this.repository = repository;
    }

    /** A folder being fed to the writer: its node and the entries still to feed. */
    private record Feeding(OverlayNode node, String name, Iterator<OverlayNode> children) {
    }

    /**
     * Feeds the tree to {@code writer} depth-first and saves its trees; returns the root as
     * written. A loop over an explicit stack rather than recursion: a device may send a tree
     * thousands of folders deep.
     */
    SnapshotWriter.SavedFolder write(SnapshotWriter writer) throws IOException {
        OverlayNode root = tree.root();
        Deque<Feeding> stack = new ArrayDeque<>();
        stack.push(new Feeding(root, "root", new ArrayList<>(tree.children(root).values()).iterator()));
        while (true) {
            Feeding f = stack.peek();
            if (f.children().hasNext()) {
                OverlayNode c = f.children().next();
                OverlayNode n = settledVersion(c);
                if (n != null) {
                    feed(writer, c.name, n, stack);
                }
                continue;
            }
            stack.pop();
            OverlayNode folder = f.node();
            if (stack.isEmpty()) {
                SnapshotWriter.SavedFolder top = writer.finish(t -> Node.dir("root", folder.permissions, folder.mtime, t));
                written.put(folder, CompletableFuture.completedFuture(top));
                return top;
            }
            written.put(folder, writer.leaveFolder(t -> Node.dir(f.name(), folder.permissions, folder.mtime, t)));
        }
    }

    /** What a commit writes for an entry: a file open for writing counts as what it replaces, if anything. */
    private static OverlayNode settledVersion(OverlayNode n) {
        while (n.bytes instanceof OverlayNode.Writing w) {
            if (w.replaces().isEmpty()) {
                return null;
            }
            n = w.replaces().get();
        }
        return n;
    }

    private void feed(SnapshotWriter writer, String name, OverlayNode n, Deque<Feeding> stack) throws IOException {
        if (!n.changed && n.base != null) {
            writer.keep(name, n.base);
            return;
        }
        switch (n.kind) {
            case DIRECTORY -> {
                writer.enterFolder(name);
                stack.push(new Feeding(n, name, new ArrayList<>(tree.children(n).values()).iterator()));
            }
            case SYMLINK -> writer.link(name, Node.symlink(name, n.mtime, n.linkTarget));
            case FILE -> {
                List<Id> content = switch (n.bytes) {
                    case OverlayNode.InRepository r -> r.content();
                    case OverlayNode.Spooled s -> s.stored().orElseThrow(() -> new IllegalStateException(name + " has no stored content"));
                    case OverlayNode.Writing w -> throw new IllegalStateException(name + " is still being written");
                };
                // Read in this session if it came through a spool: what the statistics call bytes read.
                long read = n.bytes instanceof OverlayNode.Spooled ? n.size : 0;
                writer.file(name, CompletableFuture.completedFuture(Node.file(name, n.permissions, n.mtime, n.size, content)),
                        n.size, read);
            }
        }
    }

    /** After a commit: every node now matches the snapshot just written, and spools of stored files go. */
    void settle(Node topWritten) throws IOException {
        Deque<Map.Entry<OverlayNode, Node>> toVisit = new ArrayDeque<>();
        toVisit.push(new AbstractMap.SimpleEntry<>(tree.root(), topWritten));
        while (!toVisit.isEmpty()) {
            var e = toVisit.pop();
            OverlayNode n = e.getKey();
            Node w = e.getValue();
            if (n.isWriting()) {
                continue;
            }
            if (w != null) {
                n.base = w;
            }
            if (!n.changed) {
                continue;
            }
            n.changed = false;
            if (n.bytes instanceof OverlayNode.Spooled s) {
                Files.deleteIfExists(s.spool());
                n.bytes = new OverlayNode.InRepository(s.stored().orElseThrow());
            }
            if (n.isDir() && n.listed && w != null && w.subtree() != null) {
                CompletableFuture<SnapshotWriter.SavedFolder> saved = written.get(n);
                List<Node> entries = saved != null ? saved.join().entries()
                        : TreeCodec.decode(repository.loadBlob(BlobType.TREE, w.subtree()));
                Map<String, Node> byName = new HashMap<>();
                for (Node c : entries) {
                    byName.put(c.name(), c);
                }
                for (OverlayNode c : n.children.values()) {
                    toVisit.push(new AbstractMap.SimpleEntry<>(c, byName.get(c.name)));
                }
            }
        }
    }
}
