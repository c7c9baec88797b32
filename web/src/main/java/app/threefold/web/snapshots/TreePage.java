package app.threefold.web.snapshots;

import app.threefold.tree.TreeCodec;
import java.util.List;

/** One page of a folder's entries, decoded without decoding the rest of its tree blob. */
final class TreePage {

    /** The page's entries and how many entries the tree has in all. */
    record Result(List<BrowseRoutes.Entry> entries, int total) {
    }

    private TreePage() {
    }

    static Result read(byte[] json, int from, int count, String prefix) {
        TreeCodec.Page page = TreeCodec.decodePage(json, from, count);
        return new Result(page.nodes().stream()
                .map(n -> new BrowseRoutes.Entry(n.name(), n.type(), n.size(), n.mtime(), prefix + n.name()))
                .toList(), page.total());
    }
}
