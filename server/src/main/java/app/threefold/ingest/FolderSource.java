package app.threefold.ingest;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a folder on the NAS into an ingest session, depth-first. Symbolic links are stored as
 * links, never followed; sockets, pipes and devices are skipped and reported.
 */
public final class FolderSource {
    private static final Logger log = LoggerFactory.getLogger(FolderSource.class);

    /** Told after each regular file how many files and bytes were handed to the session so far. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (files, bytes) -> {
        };

        void fed(long files, long bytes);
    }

    private final List<String> skipped = new ArrayList<>();
    private final Progress progress;
    private long files;
    private long bytes;

    public FolderSource() {
        this(Progress.NONE);
    }

    public FolderSource(Progress progress) {
        this.progress = progress;
    }

    /** Adds the contents of {@code root} (not the folder itself) to the session. */
    public void ingest(Path root, IngestSession session) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(root, PosixFileAttributes.class);
        if (!attributes.isDirectory()) {
            throw new IOException(root + " is not a folder; give the folder to back up");
        }
        try (DirectoryStream<Path> top = Files.newDirectoryStream(root)) {
            if (!(top instanceof SecureDirectoryStream<Path> secure)) {
                throw new IOException("this platform cannot read " + root + " without following links that may change"
                        + " while it is read; back it up on Linux");
            }
            walk(secure, "", session);
        }
    }

    /** Entries that could not be backed up, each with the reason. */
    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    /** A folder being walked through its open handle; {@code entered} for all but the top one. */
    private record Folder(SecureDirectoryStream<Path> dir, String relative, java.util.Iterator<Path> entries, boolean entered) {
    }

    /**
     * Walks the folders through their open handles: attributes, files and subfolders are reached
     * relative to them and never through a link, so an entry swapped for a link after it was
     * listed (by anyone who may write to a share) cannot pull in a file from elsewhere on the NAS.
     * A loop over an explicit stack, not recursion: a folder may be thousands of levels deep.
     */
    private void walk(SecureDirectoryStream<Path> top, String relative, IngestSession session) throws IOException {
        java.util.Deque<Folder> stack = new java.util.ArrayDeque<>();
        stack.push(new Folder(top, relative, listed(top), false));
        try {
            while (!stack.isEmpty()) {
                Folder f = stack.peek();
                if (!f.entries().hasNext()) {
                    leave(stack, session);
                    continue;
                }
                try {
                    step(f, f.entries().next(), session, stack);
                } catch (java.nio.file.AccessDeniedException e) {
                    abandon(f, stack, session, "permission denied; the folder is in the snapshot but empty", e);
                } catch (java.nio.file.FileSystemException e) {
                    abandon(f, stack, session, "the folder changed while it was read (" + e.getMessage() + "); it is in the snapshot but empty", e);
                }
            }
        } finally {
            // After a failure: close what is still open (the top stream is the caller's).
            for (Folder f : stack) {
                if (f.entered()) {
                    f.dir().close();
                }
            }
        }
    }

    /** A folder that failed while it was read ends there; a failure outside any entered folder is the caller's. */
    private void abandon(Folder f, java.util.Deque<Folder> stack, IngestSession session, String why, IOException e) throws IOException {
        if (!f.entered()) {
            throw e;
        }
        skip(f.relative(), why);
        leave(stack, session);
    }

    private static void leave(java.util.Deque<Folder> stack, IngestSession session) throws IOException {
        Folder done = stack.pop();
        if (done.entered()) {
            try {
                done.dir().close();
            } finally {
                session.leaveDirectory();
            }
        }
    }

    /**
     * Whether the string Java shows for a listed name is its real name. Java decodes names as UTF-8 and
     * shows other bytes as U+FFFD, so names ending in the bytes ff and fe would both be read, and
     * stored, as the same "col" + U+FFFD. Such a name, looked up again by its string, finds no file or another one.
     */
    private static boolean readableName(SecureDirectoryStream<Path> dir, Path entry, String name, PosixFileAttributes a) {
        if (name.indexOf('\uFFFD') < 0) {
            return true;
        }
        try {
            PosixFileAttributes again = dir.getFileAttributeView(entry.getFileSystem().getPath(name),
                    PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            return a.fileKey() != null && a.fileKey().equals(again.fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    private static java.util.Iterator<Path> listed(SecureDirectoryStream<Path> dir) {
        List<Path> listed = new ArrayList<>();
        dir.forEach(listed::add);
        listed.sort((a, b) -> app.threefold.tree.TreeCodec.compareNames(a.getFileName().toString(), b.getFileName().toString()));
        return listed.iterator();
    }

    private void step(Folder f, Path full, IngestSession session, java.util.Deque<Folder> stack) throws IOException {
        SecureDirectoryStream<Path> dir = f.dir();
        Path entry = full.getFileName();
        String name = entry.toString();
        String where = f.relative().isEmpty() ? name : f.relative() + "/" + name;
        PosixFileAttributes a;
        try {
            a = dir.getFileAttributeView(entry, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (IOException e) {
            skip(where, e.getMessage());
            return;
        }
        Attributes attrs = new Attributes(permissions(a.permissions()), a.lastModifiedTime().toInstant(), a.size(),
                0, 0, a.owner().getName(), a.group().getName(), 0);
        if (!app.threefold.tree.Node.validName(name)) {
            skip(where, "the name cannot be stored in a snapshot");
        } else if (!readableName(dir, entry, name, a)) {
            skip(where, "the name is not UTF-8 text, which Threefold cannot read from the NAS's disk without changing"
                    + " it (two such names could become one); rename it (convmv) or back this folder up over SFTP");
        } else if (a.isSymbolicLink()) {
            try {
                // By path: a link's target is only text, read without following it.
                session.symlink(name, attrs, Files.readSymbolicLink(full).toString());
            } catch (IOException e) {
                skip(where, "the link cannot be read (" + e.getMessage() + ")");
            }
        } else if (a.isDirectory()) {
            session.enterDirectory(name, attrs);
            SecureDirectoryStream<Path> sub;
            try {
                sub = dir.newDirectoryStream(entry, LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.AccessDeniedException e) {
                skip(where, "permission denied; the folder is in the snapshot but empty");
                session.leaveDirectory();
                return;
            } catch (java.nio.file.FileSystemException e) {
                skip(where, "the folder changed while it was read (" + e.getMessage() + "); it is in the snapshot but empty");
                session.leaveDirectory();
                return;
            }
            try {
                stack.push(new Folder(sub, where, listed(sub), true));
            } catch (RuntimeException e) {
                sub.close();
                session.leaveDirectory();
                throw e;
            }
        } else if (a.isRegularFile()) {
            session.file(name, attrs, () -> Channels.newInputStream(
                    dir.newByteChannel(entry, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))));
            progress.fed(++files, bytes += a.size());
        } else {
            skip(where, "not a regular file, folder or link");
        }
    }

    private void skip(String where, String why) {
        skipped.add(where + ": " + why);
        log.warn("skipped {}: {}", where, why);
    }

    static int permissions(Set<PosixFilePermission> set) {
        int mode = 0;
        for (PosixFilePermission p : set) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }
}
