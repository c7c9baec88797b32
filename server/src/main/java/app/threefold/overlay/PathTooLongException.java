package app.threefold.overlay;

import java.nio.file.FileSystemException;

/**
 * A change would give a file a path longer than a POSIX file system takes (PATH_MAX, 4096 bytes),
 * counted as the device sees it. Such a tree could not be restored onto a disk, so it is refused
 * when it is made, not found out at restore time.
 */
public final class PathTooLongException extends FileSystemException {
    public PathTooLongException(String path) {
        super(abbreviated(path), null, "path too long (over " + Overlay.MAX_PATH_BYTES + " bytes)");
    }

    /** The start and end of a path, enough to find it, without echoing 4 KiB back to the client. */
    static String abbreviated(String path) {
        return path.length() <= 120 ? path : path.substring(0, 60) + "…" + path.substring(path.length() - 59);
    }
}
