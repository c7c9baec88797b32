package app.threefold.overlay;

import app.threefold.format.Id;
import app.threefold.ingest.ContentStore;
import app.threefold.repository.BlobSaver;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Background storing of a session's closed files, and the quota that uploads meet: a closed
 * spool is chunked into the repository on the storer thread when the {@link Backlog} says it is
 * storing's turn, and a write that grows a file is admitted only while the backlog has room and
 * the device's quota is not passed. Thread-safe; needs none of the overlay's lock.
 */
final class Storing {
    private final BlobSaver saver;
    private final ContentStore content;
    private final ExecutorService storer;
    private final Overlay.Quota quota;
    private final Backlog backlog;
    /** Bytes written to spools and not yet stored: they count at their full size against the quota. */
    private final AtomicLong unstoredBytes = new AtomicLong();
    /** Bytes written to spools since the last checkpoint. */
    private final AtomicLong spooled = new AtomicLong();
    /** Closed files handed to storing that it has not started on: while there are any, it does not flush its batch. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Everything handed to storing since the last commit; guarded by the overlay's lock. */
    private final List<CompletableFuture<List<Id>>> pending = new ArrayList<>();
    /** Of those, the ones still storing: what a write near the quota waits for. */
    private final Set<CompletableFuture<List<Id>>> unfinished = ConcurrentHashMap.newKeySet();

    Storing(BlobSaver saver, ContentStore content, ExecutorService storer, Overlay.Quota quota, Backlog backlog) {
        this.saver = saver;
        this.content = content;
        this.storer = storer;
        this.quota = quota;
        this.backlog = backlog;
    }

    Overlay.Quota quota() {
        return quota;
    }

    long spooledBytes() {
        return spooled.get();
    }

    long backlogBytes() {
        return backlog.bytes();
    }

    /** Bytes added to the repository so far, counting blobs in the pack still being filled. */
    long bytesAdded() {
        return saver.bytesSealed();
    }

    /**
     * Admits a write that grows a file by {@code grow} bytes: waits while the backlog is over its
     * limit, and refuses it if it would take the device past its quota.
     */
    void admit(long grow, String display) throws IOException {
        if (grow > 0) {
            backlog.awaitRoom();
        }
        if (grow > 0 && unstoredBytes.get() + grow > quota.left()) {
            // Closed files waiting for storing count at their full size; stored, they count
            // what they add after dedup and compression. Refuse only on that.
            awaitStoring();
            if (unstoredBytes.get() + grow > quota.left()) {
                throw new QuotaExceededException(display, quota.total());
            }
        }
        backlog.wrote();
    }

    /** A write grew a spool by {@code grow} bytes. */
    void grew(long grow) {
        unstoredBytes.addAndGet(grow);
        spooled.addAndGet(grow);
    }

    /** A spool of {@code size} bytes will not be stored (abandoned, or removed while open). */
    void dropped(long size) {
        unstoredBytes.addAndGet(-size);
    }

    /** A commit has waited for everything stored so far: later commits need not wait for it again. */
    void forgetStored() {
        pending.clear();
    }

    /** The session's changes are in a snapshot: spooling starts from zero towards the next checkpoint. */
    void checkpointed() {
        spooled.set(0);
    }

    /**
     * Stores the closed files waiting now, without waiting for a pause in the upload. Needs no
     * lock, so a checkpoint calls it first and the session's other connections go on meanwhile.
     */
    void awaitStoring() throws InterruptedIOException {
        CompletableFuture<?>[] waiting = unfinished.toArray(CompletableFuture[]::new);
        if (waiting.length == 0) {
            return;
        }
        backlog.drain();
        try {
            // A file that failed to store fails the commit, which reports it; here only its end counts.
            CompletableFuture.allOf(waiting).handle((v, e) -> null).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for earlier uploads to be stored");
        } catch (ExecutionException e) {
            throw new IllegalStateException("handle() completes normally", e);
        } finally {
            backlog.endDrain();
        }
    }

    /** Waits until every closed file since the last commit is stored; fails if one could not be. */
    void awaitStored() throws IOException {
        backlog.drain();
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw new IOException("storing an uploaded file failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            backlog.endDrain();
        }
    }

    /** Chunks a closed spool into the repository on the storer thread; completes with its content. */
    CompletableFuture<List<Id>> store(Path spoolFile, long size) {
        backlog.add(size);
        AtomicLong unread = new AtomicLong(size);
        queued.incrementAndGet();
        // The storer thread only reads and cuts; hashing, compression, encryption and packing run on
        // the workers, so the next file's chunking overlaps with this one's saving.
        CompletableFuture<List<Id>> f = CompletableFuture.supplyAsync(() -> {
            queued.decrementAndGet();
            try {
                return chunk(spoolFile, unread);
            } catch (IOException e) {
                throw new UncheckedIOException("storing " + spoolFile.getFileName() + " failed: " + e.getMessage(), e);
            } finally {
                // Whatever was not read (a failure) leaves the backlog too.
                leaveBacklog(unread, Long.MAX_VALUE);
            }
        }, storer).thenCompose(c -> c).whenComplete((ids, error) -> unstoredBytes.addAndGet(-size));
        pending.add(f);
        unfinished.add(f);
        f.whenComplete((ids, error) -> unfinished.remove(f));
        return f;
    }

    private void leaveBacklog(AtomicLong unread, long bytes) {
        long left = unread.getAndUpdate(u -> Math.max(0, u - bytes));
        backlog.read(Math.min(left, bytes));
    }

    private CompletableFuture<List<Id>> chunk(Path spoolFile, AtomicLong unread) throws IOException {
        try (InputStream in = new FilterInputStream(Files.newInputStream(spoolFile)) {
            /** Only reads of bytes wait for their turn: the one that finds the end cuts the last chunk now. */
            private void awaitTurn() throws IOException {
                if (unread.get() > 0) {
                    backlog.awaitTurn();
                }
            }

            @Override
            public int read() throws IOException {
                awaitTurn();
                int b = super.read();
                if (b >= 0) {
                    leaveBacklog(unread, 1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                awaitTurn();
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    leaveBacklog(unread, n);
                }
                return n;
            }
        }) {
            return content.store(in).content();
        } finally {
            // With no file queued behind it, a closed file is saved now rather than when later files
            // fill its batch; while a burst drains, files share batches as in a folder backup. Also
            // after a failure: earlier files' chunks may wait in the batch.
            if (queued.get() == 0) {
                content.flush();
            }
        }
    }

    /** Stops storing: what is queued is left for the journal's replay. */
    void stop() {
        storer.shutdownNow();
    }
}
