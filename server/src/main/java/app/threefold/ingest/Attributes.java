package app.threefold.ingest;

import java.time.Instant;

/** What a source knows about a file, folder or link besides its name and content. */
public record Attributes(int permissions, Instant mtime, long size, long uid, long gid, String user, String group, long inode) {

    public static Attributes of(int permissions, Instant mtime, long size) {
        return new Attributes(permissions, mtime, size, 0, 0, null, null, 0);
    }
}
