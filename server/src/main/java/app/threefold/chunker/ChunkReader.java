package app.threefold.chunker;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Cuts one stream into chunks. Reads in large blocks into one growing buffer and copies each
 * chunk out of it once. Not thread-safe; closing it closes the stream.
 */
public final class ChunkReader implements Closeable {

    /** Small files never need more than this; the buffer doubles from here as a stream demands. */
    private static final int INITIAL_BUFFER = 256 * 1024;
    /** Reads at least this much at a time once the stream has proved large. */
    private static final int MIN_CAPACITY = 8 * 1024 * 1024;

    private final Chunker chunker;
    private final InputStream in;
    private final int maxSize;
    private final int capacity;
    private byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;

    ChunkReader(Chunker chunker, InputStream in) {
        this.chunker = chunker;
        this.in = in;
        this.maxSize = chunker.params().maxSize();
        // Twice the maximum keeps the copy made when compacting below half of what is read.
        this.capacity = Math.max(MIN_CAPACITY, 2 * maxSize);
        this.buf = new byte[Math.min(INITIAL_BUFFER, capacity)];
    }

    /** The next chunk, or null at the end of the stream; never an empty chunk. */
    public byte[] next() throws IOException {
        if (limit - pos < maxSize && !eof) {
            fill();
        }
        int available = limit - pos;
        if (available == 0) {
            return null;
        }
        int n = chunker.cut(buf, pos, available);
        byte[] chunk = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return chunk;
    }

    /** Reads until at least maxSize bytes are buffered past pos, or the stream ends. */
    private void fill() throws IOException {
        int available = limit - pos;
        if (pos > 0 && buf.length - pos < maxSize) {
            System.arraycopy(buf, pos, buf, 0, available);
            pos = 0;
            limit = available;
        }
        while (limit - pos < maxSize) {
            if (limit == buf.length) {
                buf = Arrays.copyOf(buf, Math.min(capacity, buf.length * 2));
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
                return;
            }
            limit += n;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
