package app.threefold.overlay;

import app.threefold.format.BlobType;
import app.threefold.repository.Repository;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import app.threefold.tree.NameCharset;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The session's tree of entries: the base snapshot's folders as far as they were looked at, with
 * this session's changes on top, and the read-only {@code /.snapshots} folder. It resolves paths
 * (links stay inside the device's root), refuses what a file system would refuse, and makes the
 * changes that need no file bytes; each change returns the {@link Op} the journal keeps.
 * Guarded by the overlay's lock.
 */
final class OverlayTree {
    private static final DateTimeFormatter SNAPSHOT_NAME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final int MAX_LINK_HOPS = 40;

    private final String device;
    private final Repository repository;
    private final Clock clock;
    private final OverlayNode root;
    private Snapshot base;
    private OverlayNode snapshotsNode;

    OverlayTree(String device, Repository repository, Clock clock, Snapshot base) {
        this.device = device;
        this.repository = repository;
        this.clock = clock;
        this.base = base;
        if (base == null) {
            root = OverlayNode.newFolder(null, "", 0755, Instant.EPOCH);
        } else {
            root = new OverlayNode();
            root.name = "";
            root.kind = Entry.Kind.DIRECTORY;
            root.permissions = 0755;
            root.mtime = base.time();
            root.base = Node.dir("root", 0755, base.time(), base.tree());
        }
    }

    OverlayNode root() {
        return root;
    }

    /** The snapshot the tree started from, or the last one it was committed as. */
    Snapshot base() {
        return base;
    }

    void rebased(Snapshot snapshot) {
        base = snapshot;
    }

    // ---- lookups ---------------------------------------------------------------------------

    Map<String, OverlayNode> children(OverlayNode dir) throws IOException {
        if (!dir.listed) {
            Map<String, OverlayNode> m = dir.list();
            if (dir.base != null && dir.base.subtree() != null) {
                for (Node n : TreeCodec.decode(repository.loadBlob(BlobType.TREE, dir.base.subtree()))) {
                    m.put(n.name(), OverlayNode.of(n, dir, dir.readOnly));
                }
            }
        }
        return dir.children;
    }

    static String show(List<String> path) {
        return "/" + String.join("/", path);
    }

    /** Bytes of the path as the device sees it: a slash before every name. */
    static long pathBytes(List<String> path) {
        long n = 0;
        for (String name : path) {
            n += 1 + NameCharset.toBytes(name).length;
        }
        return Math.max(1, n);
    }

    static void refuseTooLong(List<String> path) throws PathTooLongException {
        if (pathBytes(path) > Overlay.MAX_PATH_BYTES) {
            throw new PathTooLongException(show(path));
        }
    }

    /**
     * Bytes of the longest path below a folder, relative to it ("/x/y"), walking at most until
     * {@code limit} is passed: what a folder moved deeper adds to its new path.
     */
    private long longestBelow(OverlayNode dir, long limit) throws IOException {
        long longest = 0;
        Deque<Map.Entry<OverlayNode, Long>> toVisit = new ArrayDeque<>();
        toVisit.push(Map.entry(dir, 0L));
        while (!toVisit.isEmpty() && longest <= limit) {
            var e = toVisit.pop();
            for (OverlayNode c : children(e.getKey()).values()) {
                long bytes = e.getValue() + 1 + NameCharset.toBytes(c.name).length;
                longest = Math.max(longest, bytes);
                if (c.isDir()) {
                    toVisit.push(Map.entry(c, bytes));
                }
            }
        }
        return longest;
    }

    /** The node at a path; the last name's link is followed only if asked. Empty if absent. */
    Optional<OverlayNode> find(List<String> path, boolean followLast) throws IOException {
        return Optional.ofNullable(find(path, followLast, 0));
    }

    private OverlayNode find(List<String> path, boolean followLast, int hops) throws IOException {
        OverlayNode n = root;
        for (int i = 0; i < path.size(); i++) {
            String name = path.get(i);
            if (n.kind == Entry.Kind.SYMLINK) {
                n = followLink(n, path.subList(0, i), hops++);
                if (n == null) {
                    return null;
                }
            }
            if (!n.isDir()) {
                throw new NotDirectoryException(show(path.subList(0, i)));
            }
            OverlayNode next = n == root && name.equals(Overlay.SNAPSHOTS) ? snapshotsFolder(false) : children(n).get(name);
            if (next == null) {
                return null;
            }
            n = next;
        }
        if (followLast && n.kind == Entry.Kind.SYMLINK) {
            return followLink(n, path.subList(0, path.size() - 1), hops);
        }
        return n;
    }

    private OverlayNode followLink(OverlayNode link, List<String> dirOfLink, int hops) throws IOException {
        if (hops >= MAX_LINK_HOPS) {
            throw new FileSystemLoopException(show(dirOfLink) + "/" + link.name);
        }
        // Targets resolve inside the device's root only: "/" is the device's root and ".." stops there.
        List<String> target = new ArrayList<>(link.linkTarget.startsWith("/") ? List.of() : dirOfLink);
        for (String part : link.linkTarget.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!target.isEmpty()) {
                    target.remove(target.size() - 1);
                }
            } else {
                target.add(part);
            }
        }
        return find(target, true, hops + 1);
    }

    /** The folder of snapshots: one read-only folder per snapshot of the device, named by its UTC time. */
    private OverlayNode snapshotsFolder(boolean refresh) throws IOException {
        if (snapshotsNode != null && !refresh) {
            return snapshotsNode;
        }
        OverlayNode f = OverlayNode.newFolder(null, Overlay.SNAPSHOTS, 0555, base == null ? Instant.EPOCH : base.time());
        f.readOnly = true;
        Map<String, Snapshot> byName = new LinkedHashMap<>();
        for (Snapshot s : new Snapshots(repository).list(device)) {
            String name = SNAPSHOT_NAME.format(s.time());
            if (byName.containsKey(name)) {
                name = name + "-" + s.id().shortHex();
            }
            byName.put(name, s);
        }
        for (var e : byName.entrySet()) {
            Snapshot s = e.getValue();
            // Keep folders already browsed, so a listing does not reload their trees.
            OverlayNode shown = snapshotsNode != null && snapshotsNode.children.get(e.getKey()) != null
                    ? snapshotsNode.children.get(e.getKey()) : new OverlayNode();
            shown.name = e.getKey();
            shown.kind = Entry.Kind.DIRECTORY;
            shown.permissions = 0555;
            shown.mtime = s.time();
            shown.readOnly = true;
            shown.base = Node.dir(e.getKey(), 0555, s.time(), s.tree());
            shown.parent = f;
            f.children.put(e.getKey(), shown);
        }
        snapshotsNode = f;
        return f;
    }

    private static boolean underSnapshots(List<String> path) {
        return !path.isEmpty() && path.get(0).equals(Overlay.SNAPSHOTS);
    }

    static void refuseReadOnly(List<String> path) throws AccessDeniedException {
        if (underSnapshots(path)) {
            throw new AccessDeniedException(show(path), null, "/" + Overlay.SNAPSHOTS + " holds older snapshots and is read-only");
        }
    }

    static void refuseReadOnlyNode(OverlayNode n) throws AccessDeniedException {
        if (n.readOnly) {
            refuseReadOnly(List.of(Overlay.SNAPSHOTS));
        }
    }

    OverlayNode existing(List<String> path, boolean follow) throws IOException {
        OverlayNode n = find(path, follow, 0);
        if (n == null) {
            throw new NoSuchFileException(show(path));
        }
        return n;
    }

    /** The folder that holds {@code path}'s last name, which must exist. */
    OverlayNode parentDir(List<String> path) throws IOException {
        if (path.isEmpty()) {
            throw new AccessDeniedException("/", null, "the root folder cannot be replaced or removed");
        }
        OverlayNode dir = find(path.subList(0, path.size() - 1), true, 0);
        if (dir == null) {
            throw new NoSuchFileException(show(path.subList(0, path.size() - 1)));
        }
        if (!dir.isDir()) {
            throw new NotDirectoryException(show(path.subList(0, path.size() - 1)));
        }
        return dir;
    }

    /** The folder a new entry at {@code path} goes into, once it is clear the entry may be made there. */
    private OverlayNode folderForNew(List<String> path) throws IOException {
        refuseReadOnly(path);
        refuseUnstorableName(path);
        refuseTooLong(path);
        OverlayNode dir = parentDir(path);
        refuseReadOnlyNode(dir);
        String name = path.get(path.size() - 1);
        if (children(dir).containsKey(name) || (dir == root && name.equals(Overlay.SNAPSHOTS))) {
            throw new FileAlreadyExistsException(show(path));
        }
        return dir;
    }

    /** Refuses a new name that a file system would refuse, as the device's own disk would. */
    static void refuseUnstorableName(List<String> path) throws FileSystemException {
        if (path.isEmpty()) {
            return;
        }
        String name = path.get(path.size() - 1);
        if (!Node.validName(name)) {
            throw new FileSystemException(show(path), null, "not a valid file name");
        }
        if (NameCharset.toBytes(name).length > Overlay.MAX_NAME_BYTES) {
            throw new FileSystemException(show(path), null, "File name too long (over " + Overlay.MAX_NAME_BYTES + " bytes)");
        }
    }

    // ---- reading the tree ------------------------------------------------------------------

    List<Entry> list(List<String> path) throws IOException {
        OverlayNode dir = existing(path, true);
        if (!dir.isDir()) {
            throw new NotDirectoryException(show(path));
        }
        List<Entry> out = new ArrayList<>();
        if (dir == root) {
            out.add(snapshotsFolder(true).entry());
        } else if (path.size() == 1 && underSnapshots(path)) {
            dir = snapshotsFolder(true);
        }
        for (OverlayNode n : children(dir).values()) {
            if (!(dir == root && n.name.equals(Overlay.SNAPSHOTS))) {
                out.add(n.entry());
            }
        }
        return out;
    }

    String readLink(List<String> path) throws IOException {
        OverlayNode n = existing(path, false);
        if (n.kind != Entry.Kind.SYMLINK) {
            throw new NotLinkException(show(path));
        }
        return n.linkTarget;
    }

    // ---- changing the tree -----------------------------------------------------------------

    Op mkdir(List<String> path, int mode) throws IOException {
        OverlayNode dir = folderForNew(path);
        Instant now = clock.instant();
        OverlayNode n = OverlayNode.newFolder(dir, path.get(path.size() - 1), mode & 07777, now);
        dir.children.put(n.name, n);
        n.touch();
        return Op.mkdir(path, n.permissions, now);
    }

    Op rmdir(List<String> path) throws IOException {
        OverlayNode n = existingToRemove(path);
        if (!n.isDir()) {
            throw new NotDirectoryException(show(path));
        }
        if (!children(n).isEmpty()) {
            throw new DirectoryNotEmptyException(show(path));
        }
        detach(n);
        return Op.rmdir(path);
    }

    Op remove(List<String> path) throws IOException {
        OverlayNode n = existingToRemove(path);
        if (n.isDir()) {
            throw new FileSystemException(show(path), null, "is a directory; use rmdir");
        }
        detach(n);
        return Op.remove(path);
    }

    /** The entry at {@code path} (its last link not followed), which must exist and may be removed. */
    private OverlayNode existingToRemove(List<String> path) throws IOException {
        refuseReadOnly(path);
        OverlayNode dir = parentDir(path);
        refuseReadOnlyNode(dir);
        OverlayNode n = children(dir).get(path.get(path.size() - 1));
        if (n == null) {
            throw new NoSuchFileException(show(path));
        }
        return n;
    }

    private static void detach(OverlayNode n) {
        n.parent.children.remove(n.name);
        n.parent.touch();
    }

    /** Renames; with {@code replace} an existing file or empty folder at {@code to} is replaced (posix-rename). Empty if nothing moved. */
    Optional<Op> rename(List<String> from, List<String> to, boolean replace) throws IOException {
        refuseReadOnly(from);
        refuseReadOnly(to);
        OverlayNode fromDir = parentDir(from);
        OverlayNode n = children(fromDir).get(from.get(from.size() - 1));
        if (n == null) {
            throw new NoSuchFileException(show(from));
        }
        OverlayNode toDir = parentDir(to);
        refuseUnstorableName(to);
        refuseReadOnlyNode(fromDir);
        refuseReadOnlyNode(toDir);
        String newName = to.get(to.size() - 1);
        if (toDir == root && newName.equals(Overlay.SNAPSHOTS)) {
            refuseReadOnly(to);
        }
        if (n.isDir() && to.size() >= from.size() && to.subList(0, from.size()).equals(from)) {
            if (to.size() == from.size()) {
                return Optional.empty();
            }
            throw new FileSystemException(show(from), show(to), "a folder cannot move into itself");
        }
        OverlayNode existing = children(toDir).get(newName);
        if (existing == n) {
            return Optional.empty();
        }
        refuseTooLong(to);
        long grows = pathBytes(to) - pathBytes(from);
        if (n.isDir() && grows > 0
                && pathBytes(to) + longestBelow(n, Overlay.MAX_PATH_BYTES - pathBytes(to)) > Overlay.MAX_PATH_BYTES) {
            throw new PathTooLongException(show(to) + "/…");
        }
        if (existing != null) {
            if (!replace) {
                throw new FileAlreadyExistsException(show(to));
            }
            if (existing.isDir() != n.isDir()) {
                throw new FileSystemException(show(from), show(to), existing.isDir() ? "is a directory" : "not a directory");
            }
            if (existing.isDir() && !children(existing).isEmpty()) {
                throw new DirectoryNotEmptyException(show(to));
            }
        }
        fromDir.children.remove(n.name);
        fromDir.touch();
        n.name = newName;
        n.parent = toDir;
        toDir.children.put(newName, n);
        toDir.touch();
        return Optional.of(Op.rename(from, to, replace));
    }

    Op symlink(List<String> path, String target) throws IOException {
        OverlayNode dir = folderForNew(path);
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new FileSystemException(show(path), target, "not a usable link target");
        }
        Instant now = clock.instant();
        OverlayNode n = new OverlayNode();
        n.parent = dir;
        n.name = path.get(path.size() - 1);
        n.kind = Entry.Kind.SYMLINK;
        n.permissions = 0777;
        n.mtime = now;
        n.linkTarget = target;
        dir.children.put(n.name, n);
        n.touch();
        return Op.symlink(path, target, now);
    }

    /** Sets permissions and/or mtime (null leaves either as it is); empty if there is nothing to journal. */
    Optional<Op> setAttributes(List<String> path, Integer mode, Instant mtime) throws IOException {
        refuseReadOnly(path);
        OverlayNode n = existing(path, true);
        refuseReadOnlyNode(n);
        boolean same = (mode == null || (mode & 07777) == n.permissions) && (mtime == null || mtime.equals(n.mtime));
        if (same) {
            return Optional.empty();
        }
        if (mode != null && n.kind != Entry.Kind.SYMLINK) {
            n.permissions = mode & 07777;
        }
        if (mtime != null) {
            n.mtime = mtime;
            n.mtimeSet = true;
        }
        if (n == root) {
            return Optional.empty();
        }
        n.touch();
        // A file open for writing journals its attributes with its content, when it is closed.
        return n.isWriting() ? Optional.empty() : n.path().map(at -> Op.setAttributes(at, mode, mtime));
    }
}
