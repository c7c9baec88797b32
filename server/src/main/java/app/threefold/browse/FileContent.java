package app.threefold.browse;

import app.threefold.restore.ContentReader;
import java.io.IOException;
import java.io.InputStream;

/**
 * One file's content in a snapshot, read a range at a time (HTTP range requests, previews, zips):
 * only the blobs covering the range are read, each verified. Not thread-safe, like the reader it wraps.
 */
public final class FileContent {

    private final ContentReader reader;

    FileContent(ContentReader reader) {
        this.reader = reader;
    }

    public long size() {
        return reader.size();
    }

    /** Reads up to {@code len} bytes at {@code position}; -1 at the end of the file. */
    public int read(long position, byte[] buf, int off, int len) throws IOException {
        return reader.read(position, buf, off, len);
    }

    /** A stream of {@code [offset, offset + length)}; {@code length < 0} means to the end. */
    public InputStream stream(long offset, long length) {
        return reader.stream(offset, length);
    }
}
