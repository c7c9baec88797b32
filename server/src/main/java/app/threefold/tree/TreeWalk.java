package app.threefold.tree;

import app.threefold.format.Id;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Walks a tree depth first, in listing order, over an explicit stack rather than recursion: a tree
 * may be as deep as a file system allows (2,048 folders), deeper than a thread's stack.
 */
public final class TreeWalk {

    /** A folder's entries, or null to skip it (seen already, or unreadable and reported by the caller). */
    @FunctionalInterface
    public interface Folders {
        List<Node> open(Id tree, String path) throws IOException;
    }

    /** Sees one entry at its path ("/a/b"); false stops the walk. Folders are entered after their visit. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(String path, Node node) throws IOException;
    }

    /**
     * Sees one entry at its path with what its folder's visit returned ({@code parent}), and returns
     * what the entries inside it see if it is a folder (for other entries anything but null); null
     * stops the walk. Lets a caller carry per-folder state (a zip's folder prefix) down the walk.
     */
    @FunctionalInterface
    public interface Descent<S> {
        S visit(S parent, String path, Node node) throws IOException;
    }

    private record Folder<S>(String path, S state, Iterator<Node> entries) {
    }

    private TreeWalk() {
    }

    /**
     * Walks the tree {@code root}, whose own path is {@code rootPath} ("" for a snapshot's root).
     *
     * @return false if the visitor stopped the walk
     */
    public static boolean walk(Id root, String rootPath, Folders folders, Visitor visitor) throws IOException {
        return walk(root, rootPath, Boolean.TRUE, folders, (going, path, n) -> visitor.visit(path, n) ? going : null);
    }

    /**
     * Walks the tree {@code root} like {@link #walk(Id, String, Folders, Visitor)}, handing each
     * folder's entries what the folder's own visit returned ({@code rootState} for the root's).
     *
     * @return false if the visitor stopped the walk
     */
    public static <S> boolean walk(Id root, String rootPath, S rootState, Folders folders, Descent<S> visitor)
            throws IOException {
        Deque<Folder<S>> stack = new ArrayDeque<>();
        open(root, rootPath, rootState, folders, stack);
        while (!stack.isEmpty()) {
            Folder<S> f = stack.peek();
            if (!f.entries().hasNext()) {
                stack.pop();
                continue;
            }
            Node n = f.entries().next();
            String path = f.path() + "/" + n.name();
            S state = visitor.visit(f.state(), path, n);
            if (state == null) {
                return false;
            }
            if (n.isDir() && n.subtree() != null) {
                open(n.subtree(), path, state, folders, stack);
            }
        }
        return true;
    }

    private static <S> void open(Id tree, String path, S state, Folders folders, Deque<Folder<S>> stack)
            throws IOException {
        List<Node> entries = folders.open(tree, path);
        if (entries != null) {
            stack.push(new Folder<>(path, state, entries.iterator()));
        }
    }
}
