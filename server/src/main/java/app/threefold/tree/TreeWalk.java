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

    private record Folder(String path, Iterator<Node> entries) {
    }

    private TreeWalk() {
    }

    /**
     * Walks the tree {@code root}, whose own path is {@code rootPath} ("" for a snapshot's root).
     *
     * @return false if the visitor stopped the walk
     */
    public static boolean walk(Id root, String rootPath, Folders folders, Visitor visitor) throws IOException {
        Deque<Folder> stack = new ArrayDeque<>();
        open(root, rootPath, folders, stack);
        while (!stack.isEmpty()) {
            Folder f = stack.peek();
            if (!f.entries().hasNext()) {
                stack.pop();
                continue;
            }
            Node n = f.entries().next();
            String path = f.path() + "/" + n.name();
            if (!visitor.visit(path, n)) {
                return false;
            }
            if (n.isDir() && n.subtree() != null) {
                open(n.subtree(), path, folders, stack);
            }
        }
        return true;
    }

    private static void open(Id tree, String path, Folders folders, Deque<Folder> stack) throws IOException {
        List<Node> entries = folders.open(tree, path);
        if (entries != null) {
            stack.push(new Folder(path, entries.iterator()));
        }
    }
}
