package app.threefold.web.architecture;

import app.threefold.tree.Node;

/** A deliberately bad panel class for {@link PanelLayerTest}: it looks at tree nodes itself. */
final class ReadsTreesItself {

    static boolean isFolder(Node node) {
        return node.isDir();
    }
}
