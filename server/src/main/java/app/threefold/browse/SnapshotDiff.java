package app.threefold.browse;

import app.threefold.browse.SnapshotFiles.Change;
import app.threefold.browse.SnapshotFiles.Change.Kind;
import app.threefold.format.Id;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import app.threefold.tree.Trees;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * What changed between two snapshots, file by file. Folders whose tree id is equal on both sides
 * are skipped unread, so the cost follows the change, not the snapshots' size.
 */
final class SnapshotDiff {

    private final Trees trees;
    private final int limit;

    SnapshotDiff(Trees trees, int limit) {
        this.trees = trees;
        this.limit = limit;
    }

    /** Two listings of one folder being merged; either side may be absent (a folder added or removed). */
    private static final class Pair {
        final String path;
        final List<Node> a;
        final List<Node> b;
        int i;
        int j;

        Pair(String path, List<Node> a, List<Node> b) {
            this.path = path;
            this.a = a;
            this.b = b;
        }
    }

    /**
     * Merges the two trees' listings depth first, in name order, as a person reads them, until one
     * change more than the limit is found. A loop over an explicit stack, not recursion: a tree may
     * be 2,048 folders deep. An entry of the stack is either a folder pair still being merged or a
     * change to report once the folders above it on the stack are done.
     */
    List<Change> diff(Id before, Id after) throws IOException {
        List<Change> out = new ArrayList<>();
        Deque<Object> stack = new ArrayDeque<>();
        push(before, after, "", stack);
        while (!stack.isEmpty() && out.size() <= limit) {
            Object top = stack.peek();
            if (top instanceof Change c) {
                stack.pop();
                out.add(c);
                continue;
            }
            Pair p = (Pair) top;
            if (p.i == p.a.size() && p.j == p.b.size()) {
                stack.pop();
                continue;
            }
            int cmp = p.i == p.a.size() ? 1 : p.j == p.b.size() ? -1 : TreeCodec.compareNames(p.a.get(p.i).name(), p.b.get(p.j).name());
            if (cmp < 0) {
                removed(p.a.get(p.i++), p.path, stack);
            } else if (cmp > 0) {
                added(p.b.get(p.j++), p.path, stack);
            } else {
                Node x = p.a.get(p.i++);
                Node y = p.b.get(p.j++);
                String at = p.path + "/" + x.name();
                if (x.isDir() && y.isDir()) {
                    push(x.subtree(), y.subtree(), at, stack);
                } else if (x.isDir() || y.isDir()) {
                    // Pushed in reverse: what was there is reported first.
                    added(y, p.path, stack);
                    removed(x, p.path, stack);
                } else if (!Objects.equals(x.content(), y.content()) || x.size() != y.size()
                        || !Objects.equals(x.linkTarget(), y.linkTarget())) {
                    out.add(new Change(Kind.CHANGED, at, x.size(), y.size()));
                }
            }
        }
        return out;
    }

    /** Puts a folder pair on the stack, unless both sides are the same tree (nothing below changed). */
    private void push(Id before, Id after, String path, Deque<Object> stack) throws IOException {
        if (Objects.equals(before, after)) {
            return;
        }
        stack.push(new Pair(path, before == null ? List.of() : trees.load(before),
                after == null ? List.of() : trees.load(after)));
    }

    private void added(Node n, String path, Deque<Object> stack) throws IOException {
        if (n.isDir()) {
            push(null, n.subtree(), path + "/" + n.name(), stack);
        } else {
            stack.push(new Change(Kind.ADDED, path + "/" + n.name(), 0, n.size()));
        }
    }

    private void removed(Node n, String path, Deque<Object> stack) throws IOException {
        if (n.isDir()) {
            push(n.subtree(), null, path + "/" + n.name(), stack);
        } else {
            stack.push(new Change(Kind.REMOVED, path + "/" + n.name(), n.size(), 0));
        }
    }
}
