package app.threefold.snapshot;

import app.threefold.format.BlobType;
import app.threefold.repository.Repository;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Counts the files a snapshot no longer has compared with its parent, path by path: a file whose
 * path is gone (or is now a folder) is removed, and so is every file below a folder that is gone.
 * A renamed file therefore counts as removed at its old path and new at its new one, as a person
 * comparing the two snapshots' folders would see it. Only the parent's trees are read, and only
 * below folders that changed.
 */
public final class RemovedFiles {

    private final Repository repository;

    public RemovedFiles(Repository repository) {
        this.repository = repository;
    }

    /** The entries of a folder of the parent snapshot, by name. */
    public Map<String, Node> entries(Node dir) throws IOException {
        Map<String, Node> byName = new HashMap<>();
        if (dir != null && dir.isDir() && dir.subtree() != null) {
            for (Node n : TreeCodec.decode(repository.loadBlob(BlobType.TREE, dir.subtree()))) {
                byName.put(n.name(), n);
            }
        }
        return byName;
    }

    /** Files at or below {@code gone}: 1 for a file, its subtree's files for a folder, 0 for a link or null. */
    public long filesIn(Node gone) throws IOException {
        // A loop, not recursion: a tree may be thousands of folders deep.
        long n = 0;
        Deque<Node> toVisit = new ArrayDeque<>();
        if (gone != null) {
            toVisit.push(gone);
        }
        while (!toVisit.isEmpty()) {
            Node at = toVisit.pop();
            if (at.isFile()) {
                n++;
            } else if (at.isDir()) {
                entries(at).values().forEach(toVisit::push);
            }
        }
        return n;
    }

    /** Files of {@code was} (the parent snapshot's node at a path) that {@code now} (at the same path, or null) lacks. */
    public long between(Node was, Node now) throws IOException {
        long n = 0;
        Deque<Node[]> toVisit = new ArrayDeque<>();
        toVisit.push(new Node[] {was, now});
        while (!toVisit.isEmpty()) {
            Node[] pair = toVisit.pop();
            Node before = pair[0];
            Node after = pair[1];
            if (before == null) {
                continue;
            }
            if (after == null || before.isFile() != after.isFile() || before.isDir() != after.isDir()) {
                n += filesIn(before);
                continue;
            }
            if (!before.isDir() || Objects.equals(before.subtree(), after.subtree())) {
                continue;
            }
            Map<String, Node> afterEntries = entries(after);
            for (Node child : entries(before).values()) {
                toVisit.push(new Node[] {child, afterEntries.get(child.name())});
            }
        }
        return n;
    }
}
