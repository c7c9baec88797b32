package app.threefold.browse;

import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One page of a folder's entries in listing order ({@link FolderOrder}), decoding only that
 * page's nodes of the tree blob: one pass reads every name and type to sort them, a second
 * decodes the page's nodes.
 */
final class TreePage {

    /** The page's entries and how many entries the tree has in all. */
    record Result(List<Entry> entries, int total) {
    }

    private TreePage() {
    }

    /** Entries {@code [from, from + count)} of the tree blob {@code json}, whose folder's path plus '/' is {@code prefix}. */
    static Result read(byte[] json, int from, int count, String prefix) {
        List<TreeCodec.Entry> all = TreeCodec.entries(json);
        int[] order = FolderOrder.order(all);
        int to = Math.min(order.length, from + Math.max(0, count));
        BitSet wanted = new BitSet(order.length);
        for (int i = Math.max(0, from); i < to; i++) {
            wanted.set(order[i]);
        }
        Map<String, Node> byName = new HashMap<>();
        for (Node n : TreeCodec.decodeWhere(json, wanted::get).nodes()) {
            byName.put(n.name(), n);
        }
        List<Entry> entries = new ArrayList<>(Math.max(0, to - from));
        for (int i = Math.max(0, from); i < to; i++) {
            Node n = byName.get(all.get(order[i]).name());
            entries.add(Entry.of(n, prefix + n.name()));
        }
        return new Result(entries, all.size());
    }
}
