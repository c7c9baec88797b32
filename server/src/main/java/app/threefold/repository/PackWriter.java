package app.threefold.repository;

import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.index.IndexFile;
import app.threefold.pack.PackBuilder;
import app.threefold.pack.PackEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A repository's packs being filled and uploaded, shared by every {@link BlobSaver} writing to it
 * (each device's SFTP session, each backup of a NAS folder), and the set of blobs in flight: taken
 * on by some saver but not yet in the blob index. A saver that meets a blob in flight relies on it
 * instead of storing it again, so two devices sending the same new file at once store it once.
 *
 * <p>The packs belong to the repository, not to a session: a session that fails leaves the blobs
 * it placed in the pack being filled, where whoever relies on them seals and uploads them (see
 * {@link BlobSaver#flush}). A blob leaves the in-flight set only once the index has it, so a
 * look-up that checks the set first and the index second never misses a blob.
 */
final class PackWriter {
    private static final Logger log = LoggerFactory.getLogger(PackWriter.class);
    /**
     * An index file is written every this many packs (~1 GiB), so a crash loses the index of at
     * most that much (the packs themselves are re-indexed from their headers at start) and the
     * list of packs waiting for an index file stays small.
     */
    static final int PACKS_PER_INDEX_FILE = 64;

    private final Repository repository;
    private final int packSize;
    /**
     * One thread so that fsync overlaps with hashing; it ends when idle, as the repository has no
     * close. Background work, like the engine's workers that fill the packs.
     */
    private final ThreadPoolExecutor uploader = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "pack-upload");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    /** Bounds the packs held in memory while waiting for upload. */
    private final Semaphore uploadSlots = new Semaphore(3);
    private final Filling data = new Filling();
    private final Filling tree = new Filling();
    /** Packs uploaded that no index file names yet. Guarded by itself. */
    private final List<OpenPack> unindexed = new ArrayList<>();
    /** Held while an index file is written, so a flush that finds nothing to write knows its packs are indexed. */
    private final Object indexing = new Object();

    PackWriter(Repository repository, int packSize) {
        this.repository = repository;
        this.packSize = packSize;
    }

    /** A blob a saver has taken on storing; it completes once the blob is in a pack (or storing it failed). */
    static final class Pending {
        final CompletableFuture<OpenPack> placed = new CompletableFuture<>();
    }

    /** The outcome of {@link #claim}: the pending blob, and whether the caller is the one to store it. */
    record Claim(Pending pending, boolean mine) {
    }

    /** One pack from its first blob until an index file names it. */
    static final class OpenPack {
        private final BlobType type;
        /** Guarded by the filling lock until sealed; dropped after the upload. */
        private PackBuilder builder;
        /** Per blob, in pack order: its id, its in-flight entry and the counter of the saver that stored it. */
        private final List<Id> ids = new ArrayList<>();
        private final List<Pending> pendings = new ArrayList<>();
        private final List<AtomicLong> payers = new ArrayList<>();
        private volatile boolean sealed;
        private IndexFile.PackRecord record;
        final CompletableFuture<Void> uploaded = new CompletableFuture<>();
        final CompletableFuture<Void> indexed = new CompletableFuture<>();

        private OpenPack(BlobType type, PackBuilder builder) {
            this.type = type;
            this.builder = builder;
        }

        /** Whether it has left the filling stage: it uploads (or has) without anyone flushing. */
        boolean sealed() {
            return sealed;
        }
    }

    /** The pack of one blob type being filled, and that type's blobs in flight. */
    private static final class Filling {
        final Map<Id, Pending> inFlight = new ConcurrentHashMap<>();
        OpenPack pack;
    }

    private Filling filling(BlobType type) {
        return type == BlobType.DATA ? data : tree;
    }

    /** The blob's in-flight entry, or null if no saver is storing it (it may be in the index). */
    Pending inFlight(BlobType type, Id id) {
        return filling(type).inFlight.get(id);
    }

    /** Takes the blob on, unless another saver has meanwhile: then the caller relies on that one. */
    Claim claim(BlobType type, Id id) {
        Pending mine = new Pending();
        Pending prior = filling(type).inFlight.putIfAbsent(id, mine);
        return prior == null ? new Claim(mine, true) : new Claim(prior, false);
    }

    /** Storing a claimed blob failed before it reached a pack: whoever relied on it stores it itself. */
    void abandon(BlobType type, Id id, Pending pending, Throwable cause) {
        filling(type).inFlight.remove(id, pending);
        pending.placed.completeExceptionally(cause);
    }

    /**
     * Adds a claimed blob, sealed by the repository's crypto, to the pack being filled; a pack that
     * is full goes to upload. {@code payer} counts the bytes the blob adds to the repository.
     */
    OpenPack add(BlobType type, Id id, byte[] sealed, int uncompressedLength, Pending pending, AtomicLong payer) {
        Filling f = filling(type);
        OpenPack into;
        OpenPack full = null;
        synchronized (f) {
            if (f.pack == null) {
                f.pack = new OpenPack(type, new PackBuilder(type, repository.crypto(), packSize + (packSize >> 3)));
            }
            into = f.pack;
            into.builder.add(id, sealed, uncompressedLength);
            into.ids.add(id);
            into.pendings.add(pending);
            into.payers.add(payer);
            if (into.builder.size() >= packSize) {
                full = into;
                full.sealed = true;
                f.pack = null;
            }
        }
        // Outside the lock: what relies on the blob runs now.
        pending.placed.complete(into);
        if (full != null) {
            upload(full);
        }
        return into;
    }

    /** Sends the packs being filled to upload if any of {@code wanted} is one of them. */
    void seal(Set<OpenPack> wanted) {
        for (Filling f : List.of(data, tree)) {
            OpenPack take = null;
            synchronized (f) {
                if (f.pack != null && wanted.contains(f.pack)) {
                    take = f.pack;
                    take.sealed = true;
                    f.pack = null;
                }
            }
            if (take != null) {
                upload(take);
            }
        }
    }

    private void upload(OpenPack open) {
        uploadSlots.acquireUninterruptibly();
        try {
            uploader.execute(() -> {
                try {
                    PackBuilder.Pack pack = open.builder.finish();
                    open.builder = null;
                    repository.backend().save(new Handle(FileType.PACK, pack.id().hex()),
                            new ByteArrayInputStream(pack.bytes(), 0, pack.length()), pack.length());
                    charge(open, pack);
                    open.record = new IndexFile.PackRecord(pack.id(), pack.entries());
                    boolean full;
                    synchronized (unindexed) {
                        unindexed.add(open);
                        full = unindexed.size() >= PACKS_PER_INDEX_FILE;
                    }
                    open.uploaded.complete(null);
                    if (full) {
                        writeIndexFile();
                    }
                } catch (IOException | RuntimeException e) {
                    if (!open.uploaded.isDone()) {
                        lost(open, e);
                    } else {
                        // The pack is stored; its index file is written by the next flush, which reports a lasting failure.
                        log.warn("writing an index file for the packs uploaded to {} failed ({}); the next flush tries again",
                                repository.backend().location(), e.getMessage());
                    }
                } finally {
                    uploadSlots.release();
                }
            });
        } catch (RuntimeException e) {
            uploadSlots.release();
            lost(open, e);
        }
    }

    /** The pack is not stored: its blobs are no longer in flight, and every saver relying on it fails. */
    private void lost(OpenPack open, Throwable cause) {
        forget(open);
        open.builder = null;
        open.uploaded.completeExceptionally(new IOException("saving a pack to " + repository.backend().location()
                + " failed: " + cause.getMessage(), cause));
    }

    /** Takes the pack's blobs out of the in-flight set: they are indexed now, or lost. */
    private void forget(OpenPack open) {
        Map<Id, Pending> inFlight = filling(open.type).inFlight;
        for (int i = 0; i < open.ids.size(); i++) {
            inFlight.remove(open.ids.get(i), open.pendings.get(i));
        }
    }

    /**
     * Splits what the pack adds to the repository between the savers whose blobs it holds: each
     * pays its blobs and their header entries, the first one also the header's fixed part.
     */
    private static void charge(OpenPack open, PackBuilder.Pack pack) {
        long rest = pack.length();
        List<PackEntry> entries = pack.entries();
        for (int i = 0; i < entries.size(); i++) {
            int share = entries.get(i).length() + PackBuilder.headerEntryLength(entries.get(i));
            open.payers.get(i).addAndGet(share);
            rest -= share;
        }
        open.payers.get(0).addAndGet(rest);
    }

    /** Waits for the uploads queued so far (the uploader runs one at a time, in order), then indexes them. */
    void settle() throws IOException {
        try {
            uploader.submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for pack uploads");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("waiting for pack uploads failed", e.getCause());
        }
        writeIndexFile();
    }

    /**
     * Writes one index file for the packs uploaded since the last one, and only then records them
     * in the blob index: the catalog never names a pack that no index file names, so a copy of the
     * repository is always as complete as the catalog believes. Their blobs then leave the
     * in-flight set. When it returns, every pack uploaded before the call is indexed.
     */
    void writeIndexFile() throws IOException {
        synchronized (indexing) {
            List<OpenPack> packs;
            synchronized (unindexed) {
                if (unindexed.isEmpty()) {
                    return;
                }
                packs = new ArrayList<>(unindexed);
                unindexed.clear();
            }
            List<IndexFile.PackRecord> records = packs.stream().map(p -> p.record).toList();
            try {
                Id file = repository.saveUnpacked(FileType.INDEX, IndexFile.encode(records, List.of()));
                repository.index().add(file, records);
            } catch (IOException | RuntimeException e) {
                synchronized (unindexed) {
                    unindexed.addAll(0, packs);
                }
                throw e;
            }
            for (OpenPack p : packs) {
                forget(p);
                p.ids.clear();
                p.pendings.clear();
                p.payers.clear();
                p.indexed.complete(null);
            }
        }
    }
}
