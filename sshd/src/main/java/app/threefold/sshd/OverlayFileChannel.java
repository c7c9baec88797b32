package app.threefold.sshd;

import app.threefold.overlay.Overlay;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * An open SFTP file handle: reads from the repository or a spool, writes to a spool. MINA uses
 * the positional methods, so parallel requests at any offsets work. Only a close the client
 * asked for ({@link #complete()}) keeps what was written.
 */
final class OverlayFileChannel extends FileChannel {
    private final Overlay.ReadHandle reader;
    private final Overlay.WriteHandle writer;
    private long position;
    private volatile boolean complete;

    OverlayFileChannel(Overlay.ReadHandle reader, Overlay.WriteHandle writer) {
        this.reader = reader;
        this.writer = writer;
    }

    /** The client closed the handle: the file is whole. */
    void complete() {
        complete = true;
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
        return writer != null ? writer.read(pos, dst) : reader.read(pos, dst);
    }

    @Override
    public int write(ByteBuffer src, long pos) throws IOException {
        if (writer == null) {
            throw new NonWritableChannelException();
        }
        return writer.write(pos, src);
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        int n = read(dst, position);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public synchronized long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            int n = read(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        int n = write(src, position);
        position += n;
        return n;
    }

    @Override
    public synchronized long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    @Override
    public synchronized long position() {
        return position;
    }

    @Override
    public synchronized FileChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        return writer != null ? writer.size() : reader.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        if (writer == null) {
            throw new NonWritableChannelException();
        }
        writer.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) {
        // Durability comes from the session journal; see docs/sftp.md.
    }

    @Override
    public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(count, 1 << 20));
        int n = read(b, pos);
        if (n <= 0) {
            return 0;
        }
        b.flip();
        return target.write(b);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(count, 1 << 20));
        int n = src.read(b);
        if (n <= 0) {
            return 0;
        }
        b.flip();
        return write(b, pos);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long pos, long size) {
        throw new UnsupportedOperationException("memory mapping is not supported");
    }

    @Override
    public FileLock lock(long pos, long size, boolean shared) {
        throw new UnsupportedOperationException("locks are not supported");
    }

    @Override
    public FileLock tryLock(long pos, long size, boolean shared) {
        throw new UnsupportedOperationException("locks are not supported");
    }

    @Override
    protected void implCloseChannel() throws IOException {
        if (writer != null) {
            writer.close(complete);
        } else {
            reader.close();
        }
    }
}
