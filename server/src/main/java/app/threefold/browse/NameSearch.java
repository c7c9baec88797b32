package app.threefold.browse;

import app.threefold.browse.SnapshotFiles.Found;
import app.threefold.browse.SnapshotFiles.Search;
import app.threefold.format.Id;
import app.threefold.tree.Node;
import app.threefold.tree.TreeWalk;
import app.threefold.tree.Trees;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * File-name search across snapshots, and one file's version history. Both walk the snapshots'
 * trees newest first; a folder whose tree is unchanged since a snapshot already walked is skipped,
 * so the cost follows what changed, not the number of snapshots. {@code S} is the caller's
 * snapshot (a catalog row), handed back as the newest snapshot holding a hit.
 */
final class NameSearch<S> {

    private final Trees trees;
    private final Function<S, SnapshotRoot> roots;
    private final int limit;

    NameSearch(Trees trees, Function<S, SnapshotRoot> roots, int limit) {
        this.trees = trees;
        this.roots = roots;
        this.limit = limit;
    }

    Search<S> search(List<S> snapshots, String query) throws IOException {
        Map<String, Found<S>> hits = new LinkedHashMap<>();
        String needle = query.trim().toLowerCase(Locale.ROOT);
        if (needle.isEmpty()) {
            return new Search<>(List.of(), false);
        }
        Set<String> walked = new HashSet<>();
        for (S s : snapshots) {
            if (walk(roots.apply(s).tree(), needle, s, walked, hits)) {
                return new Search<>(List.copyOf(hits.values()), true);
            }
        }
        return new Search<>(List.copyOf(hits.values()), false);
    }

    /** Searches one snapshot depth first; fills {@code hits} (key: path + content). True if it stopped at the limit. */
    private boolean walk(Id root, String needle, S snapshot, Set<String> walked, Map<String, Found<S>> hits)
            throws IOException {
        return !TreeWalk.walk(root, "", (tree, path) -> enter(tree, path, walked, hits), (p, n) -> {
            if (n.isFile() && n.name().toLowerCase(Locale.ROOT).contains(needle)) {
                String key = p + "\0" + Node.contentKey(n.content()).hex();
                Found<S> seen = hits.get(key);
                if (seen != null) {
                    hits.put(key, new Found<>(p, seen.size(), seen.mtime(), seen.newest(), seen.snapshots() + 1));
                } else {
                    if (hits.size() >= limit) {
                        return false;
                    }
                    hits.put(key, new Found<>(p, n.size(), n.mtime(), snapshot, 1));
                }
            }
            return true;
        });
    }

    /** A folder's entries, or null if a newer snapshot had the same content at the same path (its hits count this one too). */
    private List<Node> enter(Id tree, String path, Set<String> walked, Map<String, Found<S>> hits) throws IOException {
        if (!walked.add(tree.hex() + path)) {
            for (Map.Entry<String, Found<S>> e : hits.entrySet()) {
                Found<S> h = e.getValue();
                if (h.path().startsWith(path + "/")) {
                    e.setValue(new Found<>(h.path(), h.size(), h.mtime(), h.newest(), h.snapshots() + 1));
                }
            }
            return null;
        }
        return trees.load(tree);
    }

    List<Found<S>> history(List<S> snapshots, SnapshotPath path) throws IOException {
        Map<String, Found<S>> versions = new LinkedHashMap<>();
        for (S s : snapshots) {
            Node n = trees.find(roots.apply(s).tree(), path.names());
            if (n == null || !n.isFile()) {
                continue;
            }
            String key = Node.contentKey(n.content()).hex();
            Found<S> seen = versions.get(key);
            versions.put(key, seen == null ? new Found<>(path.toString(), n.size(), n.mtime(), s, 1)
                    : new Found<>(path.toString(), seen.size(), seen.mtime(), seen.newest(), seen.snapshots() + 1));
        }
        return new ArrayList<>(versions.values());
    }
}
