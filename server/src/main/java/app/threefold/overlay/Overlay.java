package app.threefold.overlay;

import app.threefold.chunker.Chunker;
import app.threefold.ingest.ContentDigests;
import app.threefold.ingest.ContentStore;
import app.threefold.ingest.IngestSession;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.SnapshotWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * What an SFTP session of a device sees and changes: the device's latest snapshot with this
 * session's changes on top. Files written go to spool files; a file whose handle the client
 * closes is chunked into the repository in the background, and a file never closed leaves the
 * previous version in place. {@link #commit} turns the whole into a new snapshot whose untouched
 * folders keep their tree ids. {@code /.snapshots/<UTC time>/} shows every snapshot of the
 * device, read-only.
 *
 * <p>The work is split in parts with one job each: {@link OverlayTree} (the entries and their
 * states), {@link Spool} (spool files and open handles), {@link Storing} (background storing and
 * the quota), {@link JournalReplay} and {@link OverlayCommit} (through the
 * {@link SnapshotWriter}). This class is their lock and the journal's writer.
 *
 * <p>Paths are lists of names below the device's root, already split and free of "." and "..";
 * nothing here can name anything outside the device's snapshots and its own spool folder.
 * Thread-safe: operations take the overlay's lock; reads and writes of file bytes do not, nor
 * does copying an existing file's bytes when it is opened for writing.
 */
public final class Overlay {
    /** The read-only folder of older snapshots, at the root. */
    public static final String SNAPSHOTS = ".snapshots";
    /** NAME_MAX of Linux file systems: a longer name could be stored but never restored to a disk. */
    static final int MAX_NAME_BYTES = 255;
    /**
     * The longest path a POSIX file system takes (Linux's PATH_MAX), in bytes of the path as the
     * device sees it ("/a/b"). It also bounds the depth: at most 2048 folders of one-byte names.
     */
    public static final int MAX_PATH_BYTES = 4096;
    private static final int IN_FLIGHT_MIB = 64;

    private final String device;
    private final Repository repository;
    private final BlobSaver saver;
    private final ContentDigests digests;
    private final Clock clock;
    private final Journal journal;
    /** Held for the whole session, so that a prune elsewhere waits instead of deleting what it stores. */
    private final RepositoryLock lock;
    private final OverlayTree tree;
    private final Storing storing;
    private final Spool spool;
    private final List<Op> ops = new ArrayList<>();
    private long bytesAddedBefore;

    /** How much a device may still add to the repository, asked at every write. */
    public interface Quota {
        /** Bytes still allowed, counting what earlier sessions added; {@code Long.MAX_VALUE} for none. */
        long left();

        /** The device's whole quota, for messages and statvfs. */
        long total();

        Quota NONE = new Quota() {
            @Override
            public long left() {
                return Long.MAX_VALUE;
            }

            @Override
            public long total() {
                return 0;
            }
        };
    }

    /** Random-access reads of a file's bytes. */
    public interface ReadHandle extends AutoCloseable {
        /**
         * Reads at {@code position}, possibly fewer bytes than {@code dst} has room for (a file in
         * the repository stops at each blob's end); -1 at the end.
         */
        int read(long position, ByteBuffer dst) throws IOException;

        long size() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Writes to a spool file at any offsets, from parallel requests. */
    public interface WriteHandle extends AutoCloseable {
        int write(long position, ByteBuffer src) throws IOException;

        int read(long position, ByteBuffer dst) throws IOException;

        long size();

        void truncate(long size) throws IOException;

        /**
         * Ends the write. With {@code complete} (the client closed the handle) the file replaces
         * what was at its path; otherwise (connection lost, an earlier write failed) the previous
         * version stays and the spool is dropped.
         */
        void close(boolean complete) throws IOException;

        @Override
        void close() throws IOException;
    }

    Overlay(String device, Repository repository, BlobSaver saver, Chunker chunker, ContentDigests digests,
            ExecutorService storer, Clock clock, Journal journal, Quota quota, Backlog backlog, Snapshot base, RepositoryLock lock) {
        this.device = device;
        this.repository = repository;
        this.saver = saver;
        this.digests = digests;
        this.clock = clock;
        this.journal = journal;
        this.lock = lock;
        this.tree = new OverlayTree(device, repository, clock, base);
        this.storing = new Storing(saver, new ContentStore(chunker, saver, digests, IN_FLIGHT_MIB), storer, quota, backlog);
        this.spool = new Spool(this, tree, repository, storing, clock, journal.dir(), this::record);
    }

    public String device() {
        return device;
    }

    /** The snapshot this session builds on; null for a device's first session. */
    public synchronized Snapshot base() {
        return tree.base();
    }

    /** Whether anything changed since the base (or the last checkpoint). */
    public synchronized boolean changed() {
        return tree.root().changed;
    }

    /** Bytes written to spool files since the last checkpoint. */
    public long spooledBytes() {
        return storing.spooledBytes();
    }

    public Quota quota() {
        return storing.quota();
    }

    /** Bytes of closed files that storing has not read yet. */
    long backlogBytes() {
        return storing.backlogBytes();
    }

    /**
     * Bytes this session has added to the repository so far, counting blobs in the pack still
     * being filled, so a quota holds to the blob rather than to the pack.
     */
    public long bytesAdded() {
        return storing.bytesAdded();
    }

    private void record(Op op) throws IOException {
        ops.add(op);
        journal.append(op);
    }

    // ---- the tree --------------------------------------------------------------------------

    public synchronized Entry stat(List<String> path, boolean followLinks) throws IOException {
        OverlayNode n = tree.existing(path, followLinks);
        Entry e = n.entry();
        return n.isWriting() ? new Entry(e.name(), e.kind(), Spool.size(n), e.mtime(), e.permissions(), e.linkTarget()) : e;
    }

    public synchronized List<Entry> list(List<String> path) throws IOException {
        return tree.list(path);
    }

    public synchronized String readLink(List<String> path) throws IOException {
        return tree.readLink(path);
    }

    public synchronized void mkdir(List<String> path, int mode) throws IOException {
        record(tree.mkdir(path, mode));
    }

    /** A folder made with the time a journal kept for it. */
    synchronized void mkdir(List<String> path, int mode, Instant mtime) throws IOException {
        mkdir(path, mode);
        tree.existing(path, false).mtime = mtime;
    }

    public synchronized void rmdir(List<String> path) throws IOException {
        record(tree.rmdir(path));
    }

    public synchronized void remove(List<String> path) throws IOException {
        record(tree.remove(path));
    }

    /** Renames; with {@code replace} an existing file or empty folder at {@code to} is replaced (posix-rename). */
    public synchronized void rename(List<String> from, List<String> to, boolean replace) throws IOException {
        Optional<Op> op = tree.rename(from, to, replace);
        if (op.isPresent()) {
            record(op.get());
        }
    }

    public synchronized void symlink(List<String> path, String target) throws IOException {
        record(tree.symlink(path, target));
    }

    /** Sets permissions and/or mtime (null leaves either as it is). */
    public synchronized void setAttributes(List<String> path, Integer mode, Instant mtime) throws IOException {
        Optional<Op> op = tree.setAttributes(path, mode, mtime);
        if (op.isPresent()) {
            record(op.get());
        }
    }

    // ---- file bytes ------------------------------------------------------------------------

    public synchronized ReadHandle openRead(List<String> path) throws IOException {
        OverlayNode n = tree.existing(path, true);
        if (n.isDir()) {
            throw new FileSystemException(OverlayTree.show(path), null, "is a directory");
        }
        return spool.openRead(n);
    }

    /**
     * Opens a file for writing. Without {@code truncate} an existing file's bytes are copied into
     * the spool first (appends, resumed uploads), without holding the overlay's lock meanwhile.
     */
    public WriteHandle openWrite(List<String> path, boolean create, boolean truncate, boolean exclusive, int mode)
            throws IOException {
        return spool.openWrite(path, create, truncate, exclusive, mode);
    }

    Spool.SpoolWriter openSpooled(List<String> path, boolean create, boolean truncate, boolean exclusive, int mode)
            throws IOException {
        return spool.openWrite(path, create, truncate, exclusive, mode);
    }

    /**
     * Stores the closed files waiting now, without waiting for a pause in the upload. Needs no
     * lock, so a checkpoint calls it first and the session's other connections go on meanwhile.
     */
    void awaitStoring() throws InterruptedIOException {
        storing.awaitStoring();
    }

    // ---- journal ---------------------------------------------------------------------------

    /** Redoes journaled changes; a change that no longer applies is skipped and logged. */
    synchronized void replay(Iterator<Op> changes, Path spoolDir) {
        new JournalReplay(this, spoolDir).replay(changes);
    }

    /** Waits until every closed file is stored. */
    synchronized void commitPending() throws IOException {
        storing.awaitStored();
    }

    synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    Journal journal() {
        return journal;
    }

    // ---- commit ----------------------------------------------------------------------------

    /**
     * Writes this session's view as a snapshot of the device (nothing if nothing changed) and
     * makes it the new base. Files still open for writing keep their previous version.
     */
    public synchronized Optional<IngestSession.Result> commit(List<String> tags) throws IOException {
        storing.awaitStored();
        storing.forgetStored();
        if (!tree.root().changed) {
            return Optional.empty();
        }
        Snapshot base = tree.base();
        SnapshotWriter writer = new SnapshotWriter(repository, saver, saver.workers(), digests::flush, lock, clock, base,
                bytesAddedBefore);
        OverlayCommit commit = new OverlayCommit(tree, repository);
        SnapshotWriter.SavedFolder top = commit.write(writer);
        if (writer.sameAsParent()) {
            // Re-uploaded as it was (same bytes, same times): nothing to record.
            commit.settle(top.node());
            ops.clear();
            storing.checkpointed();
            return Optional.empty();
        }
        SnapshotWriter.Written written = writer.save(List.of("/"), device, device, tags);
        bytesAddedBefore = saver.bytesAdded();
        commit.settle(top.node());
        tree.rebased(written.snapshot());
        ops.clear();
        storing.checkpointed();
        journal.restart(device, written.snapshot().id().hex());
        return Optional.of(IngestSession.Result.of(written, List.of()));
    }

    /** Stops background work; the journal folder stays unless the caller deletes it. */
    synchronized void close() throws IOException {
        // After a commit nothing is left to store. Without one (it failed), the journal is replayed at
        // the next start: storing what is queued would only pack blobs after the lock is released.
        storing.stop();
        try {
            saver.close();
            journal.close();
        } finally {
            lock.close();
        }
    }
}
