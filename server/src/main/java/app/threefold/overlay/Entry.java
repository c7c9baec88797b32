package app.threefold.overlay;

import java.time.Instant;

/** What a client sees of one file, folder or link: its stat. */
public record Entry(String name, Kind kind, long size, Instant mtime, int permissions, String linkTarget) {

    /** The three kinds a snapshot holds. */
    public enum Kind { FILE, DIRECTORY, SYMLINK }

    public boolean isDirectory() {
        return kind == Kind.DIRECTORY;
    }
}
