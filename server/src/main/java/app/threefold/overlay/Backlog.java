package app.threefold.overlay;

import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * A session's closed files that storing has not read yet, and whose turn it is: the upload's or
 * storing's.
 *
 * <p>On two cores, storing (chunking, three SHA-256 passes, compression, encryption) costs several
 * times the CPU that receiving the same bytes does, and storing beside an upload slowed the upload
 * by a third even at background priority (GC, caches and the kernel are shared). So the spool
 * takes a burst: storing waits while the session receives, and reads once no write has come for
 * {@code quiet}, while the session checkpoints or ends ({@link #drain}), or once the backlog has
 * passed {@code limit}; from then it runs beside the upload until the backlog is down to half the
 * limit. Writes that grow a file wait while the backlog is over the limit, so storing's lag (and
 * the time a checkpoint or the session's end waits for it) stays bounded whatever the link's speed.
 */
final class Backlog {
    private final long limit;
    private final long quietNanos;
    private long bytes;
    private boolean catchingUp;
    private int draining;
    private volatile long lastWrite = System.nanoTime();

    Backlog(long limit, Duration quiet) {
        if (limit < 0 || quiet.isNegative()) {
            throw new IllegalArgumentException("a backlog limit and quiet time cannot be negative");
        }
        this.limit = limit;
        this.quietNanos = quiet.toNanos();
    }

    /** The upload wrote: storing keeps waiting for a quiet moment. */
    void wrote() {
        lastWrite = System.nanoTime();
    }

    /** A file was closed: its bytes wait for storing. */
    synchronized void add(long n) {
        bytes += n;
        if (bytes > limit) {
            catchingUp = true;
            notifyAll();
        }
    }

    /** Storing read (or, on a failure, gave up on) {@code n} bytes. */
    synchronized void read(long n) {
        bytes -= n;
        if (bytes <= limit / 2) {
            catchingUp = false;
        }
        notifyAll();
    }

    synchronized long bytes() {
        return bytes;
    }

    /**
     * Holds a write that grows a file while the backlog is over the limit. Only closed files
     * count, so a file larger than the limit cannot wait for itself.
     */
    synchronized void awaitRoom() throws InterruptedIOException {
        while (bytes > limit) {
            waitOrThrow(0, "interrupted while waiting for earlier uploads to be stored");
        }
    }

    /** Holds storing until it is its turn (see the class comment). */
    synchronized void awaitTurn() throws InterruptedIOException {
        while (draining == 0 && !catchingUp) {
            long idle = System.nanoTime() - lastWrite;
            if (idle >= quietNanos) {
                return;
            }
            waitOrThrow(Math.max(1, (quietNanos - idle) / 1_000_000), "interrupted while waiting to store an upload");
        }
    }

    /** From now until {@link #endDrain}, storing runs without waiting: a commit waits for it. */
    synchronized void drain() {
        draining++;
        notifyAll();
    }

    synchronized void endDrain() {
        draining--;
    }

    private void waitOrThrow(long millis, String message) throws InterruptedIOException {
        try {
            wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(message);
        }
    }
}
