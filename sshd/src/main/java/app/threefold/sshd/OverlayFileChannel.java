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
 * An open SFTP file handle: reads from the repository or a spool, writes to a spool. MINA serves
 * one SFTP channel's requests in order, each read as {@code position(offset)} then one
 * {@code read(dst)}, and answers with whatever that one call returned; so every read here fills
 * {@code dst} unless the file ends first (see {@link #read(ByteBuffer, long)}). Only a close the
 * client asked for ({@link #complete()}) keeps what was written.
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

    /**
     * Fills {@code dst} from {@code pos}, short only at the end of the file, as OpenSSH's
     * sftp-server answers. A file in the repository is read blob by blob, so a single read stops
     * at each blob's end; answered short, a pipelining client (rclone, restic: pkg/sftp) takes
     * the short answer for the end of the file and loses the rest.
     */
    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = writer != null ? writer.read(pos + total, dst) : reader.read(pos + total, dst);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            if (n == 0) {
                // Neither handle answers 0 for a buffer with room; guard against spinning forever.
                throw new IOException("a read at " + (pos + total) + " returned no bytes before the end of the file");
            }
            total += n;
        }
        return total;
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
