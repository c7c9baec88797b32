package app.threefold.tree;

import app.threefold.format.Id;
import java.io.IOException;
import java.util.List;

/**
 * Where decoded trees come from (the repository itself, or a cache in front of it), and the one way
 * to find an entry of a snapshot by its path: the panel, search and restores all resolve paths here.
 */
@FunctionalInterface
public interface Trees {

    /** The nodes of tree {@code tree}, in tree order. */
    List<Node> load(Id tree) throws IOException;

    /**
     * The entry at {@code names} below the tree {@code root} (names as {@link NameCharset} strings,
     * compared exactly, byte for byte), or null when there is none or a name on the way is not a
     * folder. An empty {@code names} is the root itself, which has no node: null as well.
     */
    default Node find(Id root, List<String> names) throws IOException {
        Id tree = root;
        Node found = null;
        for (String name : names) {
            if (tree == null) {
                return null;
            }
            found = null;
            for (Node n : load(tree)) {
                if (n.name().equals(name)) {
                    found = n;
                    break;
                }
            }
            if (found == null) {
                return null;
            }
            tree = found.isDir() ? found.subtree() : null;
        }
        return found;
    }
}
