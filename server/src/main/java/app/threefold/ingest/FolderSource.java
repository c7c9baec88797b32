package app.threefold.ingest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
        walk(root, "", session);
    }

    /** Entries that could not be backed up, each with the reason. */
    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    private void walk(Path dir, String relative, IngestSession session) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        entries.sort((a, b) -> app.threefold.tree.TreeCodec.compareNames(a.getFileName().toString(), b.getFileName().toString()));
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            String where = relative.isEmpty() ? name : relative + "/" + name;
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(entry, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                skip(where, e.getMessage());
                continue;
            }
            Attributes attrs = new Attributes(permissions(a.permissions()), a.lastModifiedTime().toInstant(), a.size(),
                    0, 0, a.owner().getName(), a.group().getName(), 0);
            if (!app.threefold.tree.Node.validName(name)) {
                skip(where, "the name cannot be stored in a snapshot");
            } else if (a.isSymbolicLink()) {
                try {
                    session.symlink(name, attrs, Files.readSymbolicLink(entry).toString());
                } catch (IOException e) {
                    skip(where, "the link cannot be read (" + e.getMessage() + ")");
                }
            } else if (a.isDirectory()) {
                session.enterDirectory(name, attrs);
                try {
                    walk(entry, where, session);
                } catch (java.nio.file.AccessDeniedException e) {
                    skip(where, "permission denied; the folder is in the snapshot but empty");
                } finally {
                    session.leaveDirectory();
                }
            } else if (a.isRegularFile()) {
                // Not following a link: a file swapped for one since it was listed must not pull in what it points to.
                session.file(name, attrs, () -> Files.newInputStream(entry, LinkOption.NOFOLLOW_LINKS));
                progress.fed(++files, bytes += a.size());
            } else {
                skip(where, "not a regular file, folder or link");
            }
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
