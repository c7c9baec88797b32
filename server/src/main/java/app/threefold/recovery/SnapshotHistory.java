package app.threefold.recovery;

import app.threefold.format.Id;
import app.threefold.index.BlobIndex;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.SnapshotRow;
import app.threefold.tree.Node;
import app.threefold.tree.TreeWalk;
import app.threefold.tree.Trees;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The numbers a snapshot's catalog row carries, worked out again from the repository alone: files
 * and bytes from its tree; new, changed, unchanged and removed files against its parent (or the
 * device's snapshot before it); bytes added as the stored size of the blobs no earlier snapshot
 * used. Snapshots must be given oldest first.
 */
final class SnapshotHistory {

    private final Trees trees;
    private final Map<Id, Integer> storedLength = new HashMap<>();
    private final Set<Id> seen = new HashSet<>();
    /** Each snapshot's files (path → content key), while a later one may name it as its parent. */
    private final Map<Id, Map<String, Id>> filesOf = new HashMap<>();
    private final Map<String, Id> latestOf = new HashMap<>();

    SnapshotHistory(Trees trees, BlobIndex index) {
        this.trees = trees;
        index.forEachPack((pack, entries) -> entries.forEach(e -> storedLength.put(e.id(), e.length())));
    }

    SnapshotRow.Counts next(Snapshot s) throws IOException {
        Map<String, Id> files = new HashMap<>();
        long[] bytes = {0};
        long[] added = {0};
        if (seen.add(s.tree())) {
            added[0] += storedLength.getOrDefault(s.tree(), 0);
        }
        TreeWalk.walk(s.tree(), "", (tree, path) -> trees.load(tree), (path, node) -> {
            if (node.isDir() && node.subtree() != null && seen.add(node.subtree())) {
                added[0] += storedLength.getOrDefault(node.subtree(), 0);
            }
            if (node.isFile()) {
                List<Id> content = node.content() == null ? List.of() : node.content();
                files.put(path, Node.contentKey(content));
                bytes[0] += node.size();
                for (Id blob : content) {
                    if (seen.add(blob)) {
                        added[0] += storedLength.getOrDefault(blob, 0);
                    }
                }
            }
            return true;
        });
        Id parentId = s.parent() != null && filesOf.containsKey(s.parent()) ? s.parent() : latestOf.get(s.hostname());
        Map<String, Id> parent = parentId == null ? Map.of() : filesOf.getOrDefault(parentId, Map.of());
        long fresh = 0;
        long changed = 0;
        long unchanged = 0;
        for (Map.Entry<String, Id> f : files.entrySet()) {
            Id before = parent.get(f.getKey());
            if (before == null) {
                fresh++;
            } else if (before.equals(f.getValue())) {
                unchanged++;
            } else {
                changed++;
            }
        }
        long removed = parent.keySet().stream().filter(p -> !files.containsKey(p)).count();
        // Only the device's newest snapshot is kept: a later one names it (or, rarely, an older one, then read as new).
        Id previous = latestOf.put(s.hostname(), s.id());
        if (previous != null) {
            filesOf.remove(previous);
        }
        filesOf.put(s.id(), files);
        return new SnapshotRow.Counts(files.size(), bytes[0], added[0], fresh, changed, unchanged, removed);
    }
}
