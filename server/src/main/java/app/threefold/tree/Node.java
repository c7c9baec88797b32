package app.threefold.tree;

import app.threefold.format.Id;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One entry of a tree, as restic's tree JSON describes it. {@code mode} is Go's
 * {@code os.FileMode} (permission bits plus type flags in the high bits), kept as restic
 * writes it. {@code content} is the ordered list of data blobs of a file (empty, never null,
 * for an empty file); {@code subtree} the tree of a directory.
 */
public record Node(String name, String type, long mode, Instant mtime, Instant atime, Instant ctime,
                   long uid, long gid, String user, String group, long inode, long deviceId,
                   long size, long links, String linkTarget, List<Id> content, Id subtree) {

    public static final String FILE = "file";
    public static final String DIR = "dir";
    public static final String SYMLINK = "symlink";

    static final long GO_MODE_DIR = 1L << 31;
    static final long GO_MODE_SYMLINK = 1L << 27;
    static final long GO_MODE_SETUID = 1L << 23;
    static final long GO_MODE_SETGID = 1L << 22;
    static final long GO_MODE_STICKY = 1L << 20;

    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (!validName(name)) {
            throw new IllegalArgumentException("not a valid file name in a tree: \"" + name + "\"");
        }
        content = content == null ? null : List.copyOf(content);
    }

    /** Whether a name can be an entry of a tree: not empty, not "." or "..", no '/' or NUL. */
    public static boolean validName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('\0') < 0;
    }

    public static Node file(String name, int permissions, Instant mtime, long size, List<Id> content) {
        return new Node(name, FILE, permissions & 07777L, mtime, mtime, mtime, 0, 0, null, null, 0, 0, size, 1, null, content, null);
    }

    public static Node dir(String name, int permissions, Instant mtime, Id subtree) {
        return new Node(name, DIR, GO_MODE_DIR | (permissions & 07777L), mtime, mtime, mtime, 0, 0, null, null, 0, 0, 0, 0, null, null, subtree);
    }

    public static Node symlink(String name, Instant mtime, String target) {
        return new Node(name, SYMLINK, GO_MODE_SYMLINK | 0777, mtime, mtime, mtime, 0, 0, null, null, 0, 0, 0, 1, target, null, null);
    }

    public boolean isFile() {
        return type.equals(FILE);
    }

    public boolean isDir() {
        return type.equals(DIR);
    }

    public boolean isSymlink() {
        return type.equals(SYMLINK);
    }

    /** The POSIX permission bits (incl. setuid, setgid, sticky) from Go's mode. */
    public int permissions() {
        int perm = (int) (mode & 0777);
        if ((mode & GO_MODE_SETUID) != 0) {
            perm |= 04000;
        }
        if ((mode & GO_MODE_SETGID) != 0) {
            perm |= 02000;
        }
        if ((mode & GO_MODE_STICKY) != 0) {
            perm |= 01000;
        }
        return perm;
    }

    /**
     * A key for a file's content: SHA-256 over its blob ids in order. Equal content lists give
     * equal keys, so unchanged files in later snapshots share one recorded digest.
     */
    public static Id contentKey(List<Id> content) {
        java.security.MessageDigest sha = Id.sha256();
        for (Id id : content) {
            sha.update(id.bytes());
        }
        return Id.of(sha.digest());
    }

    public Node withName(String newName) {
        return new Node(newName, type, mode, mtime, atime, ctime, uid, gid, user, group, inode, deviceId, size, links, linkTarget, content, subtree);
    }
}
