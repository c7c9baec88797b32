package app.threefold.ingest;

import app.threefold.format.BlobType;
import app.threefold.repository.Repository;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
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
        if (gone == null || gone.isSymlink()) {
            return 0;
        }
        if (gone.isFile()) {
            return 1;
        }
        long n = 0;
        for (Node child : entries(gone).values()) {
            n += filesIn(child);
        }
        return n;
    }

    /** Files of {@code was} (the parent snapshot's node at a path) that {@code now} (at the same path, or null) lacks. */
    public long between(Node was, Node now) throws IOException {
        if (was == null) {
            return 0;
        }
        if (now == null || was.isFile() != now.isFile() || was.isDir() != now.isDir()) {
            return filesIn(was);
        }
        if (!was.isDir() || Objects.equals(was.subtree(), now.subtree())) {
            return 0;
        }
        Map<String, Node> after = entries(now);
        long n = 0;
        for (Node child : entries(was).values()) {
            n += between(child, after.get(child.name()));
        }
        return n;
    }
}
