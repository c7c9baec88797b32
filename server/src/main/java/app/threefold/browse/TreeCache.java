package app.threefold.browse;

import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import app.threefold.tree.Trees;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoded trees by id. Trees are content-addressed and never change, so paging through a folder
 * of 100,000 files decodes its tree once. Bounded by the number of entries held, not trees.
 */
final class TreeCache implements Trees {

    private final Repository repository;
    private final int maxEntries;
    private final LinkedHashMap<Id, List<Node>> trees = new LinkedHashMap<>(16, 0.75f, true);
    private long entries;

    TreeCache(Repository repository, int maxEntries) {
        this.repository = repository;
        this.maxEntries = maxEntries;
    }

    @Override
    public List<Node> load(Id tree) throws IOException {
        synchronized (this) {
            List<Node> hit = trees.get(tree);
            if (hit != null) {
                return hit;
            }
        }
        List<Node> nodes = TreeCodec.decode(repository.loadBlob(BlobType.TREE, tree));
        synchronized (this) {
            if (trees.put(tree, nodes) == null) {
                entries += nodes.size();
            }
            var it = trees.entrySet().iterator();
            while (entries > maxEntries && trees.size() > 1 && it.hasNext()) {
                Map.Entry<Id, List<Node>> eldest = it.next();
                if (eldest.getKey().equals(tree)) {
                    continue;
                }
                entries -= eldest.getValue().size();
                it.remove();
            }
        }
        return nodes;
    }
}
