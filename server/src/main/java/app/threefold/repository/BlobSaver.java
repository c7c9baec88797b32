package app.threefold.repository;

import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.index.IndexFile;
import app.threefold.pack.PackBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Saves blobs into a repository: deduplicates against the index, compresses, encrypts, packs,
 * uploads packs and finally writes an index file naming them. Work runs on the given worker
 * pool; packs upload on one thread of their own so that fsync overlaps with hashing.
 *
 * <p>Write ordering (docs/repository.md): a pack is in the backend before any index file names
 * it, an index file before the blob index (catalog) records its packs, and {@link #flush}
 * writes the last index file before a snapshot may name the blobs.
 */
public final class BlobSaver implements AutoCloseable {
    /** Packs this large keep the number of files low without making a damaged pack costly. */
    public static final int DEFAULT_PACK_SIZE = 16 << 20;
    /**
     * An index file is written every this many packs (~1 GiB), so a crash loses the index of at
     * most that much (the packs themselves are re-indexed from their headers at start) and the
     * list of packs waiting for an index file stays small.
     */
    private static final int PACKS_PER_INDEX_FILE = 64;

    private final Repository repository;
    private final ExecutorService workers;
    private final ExecutorService uploader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pack-upload");
        t.setDaemon(true);
        // Background work, like the engine's workers that fill the packs.
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    /** Bounds the packs held in memory while waiting for upload. */
    private final Semaphore uploadSlots = new Semaphore(3);
    private final int packSize;
    private final Object dataLock = new Object();
    private final Object treeLock = new Object();
    private PackBuilder dataPack;
    private PackBuilder treePack;
    /** Blobs this saver has taken on but whose pack is not yet in the index. */
    private final Set<Id> inFlight = ConcurrentHashMap.newKeySet();
    private final List<IndexFile.PackRecord> unindexed = new ArrayList<>();
    private final List<CompletableFuture<Void>> uploads = new ArrayList<>();
    private final AtomicLong bytesAdded = new AtomicLong();
    private final AtomicLong bytesSealed = new AtomicLong();
    private volatile Throwable failure;

    public BlobSaver(Repository repository, ExecutorService workers, int packSize) {
        this.repository = repository;
        this.workers = workers;
        this.packSize = packSize;
    }

    /**
     * Saves a batch of data chunks; the future yields their ids in order. Chunks already in the
     * repository (or in this batch or an earlier one) are stored once.
     */
    public CompletableFuture<List<Id>> saveData(List<byte[]> chunks) {
        List<CompletableFuture<Id>> hashed = new ArrayList<>(chunks.size());
        for (byte[] c : chunks) {
            hashed.add(CompletableFuture.supplyAsync(() -> Id.hash(c), workers));
        }
        return CompletableFuture.allOf(hashed.toArray(CompletableFuture[]::new)).thenComposeAsync(v -> {
            List<Id> ids = hashed.stream().map(CompletableFuture::join).toList();
            Set<Id> known = repository.index().known(BlobType.DATA, ids);
            List<CompletableFuture<Void>> stored = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                Id id = ids.get(i);
                if (!known.contains(id) && inFlight.add(id)) {
                    byte[] chunk = chunks.get(i);
                    stored.add(CompletableFuture.runAsync(() -> store(BlobType.DATA, id, chunk), workers));
                }
            }
            return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).thenApply(x -> ids);
        }, workers);
    }

    /** The pool the saver hashes, compresses and encrypts on; callers with CPU work of their own share it. */
    public ExecutorService workers() {
        return workers;
    }

    /** Saves a tree blob on the calling thread; returns its id. */
    public Id saveTree(byte[] json) {
        Id id = Id.hash(json);
        if (repository.index().find(BlobType.TREE, id).isEmpty() && inFlight.add(id)) {
            store(BlobType.TREE, id, json);
        }
        return id;
    }

    private void store(BlobType type, Id id, byte[] plain) {
        checkFailure();
        byte[] compressed = repository.version() >= 2 ? repository.compression().compressBlob(plain, 0, plain.length) : null;
        byte[] sealed = repository.crypto().seal(compressed != null ? compressed : plain);
        bytesSealed.addAndGet(sealed.length);
        PackBuilder full = null;
        synchronized (type == BlobType.DATA ? dataLock : treeLock) {
            PackBuilder pack = type == BlobType.DATA ? dataPack : treePack;
            if (pack == null) {
                pack = new PackBuilder(type, repository.crypto(), packSize + (packSize >> 3));
                if (type == BlobType.DATA) {
                    dataPack = pack;
                } else {
                    treePack = pack;
                }
            }
            pack.add(id, sealed, compressed != null ? plain.length : 0);
            if (pack.size() >= packSize) {
                full = pack;
                if (type == BlobType.DATA) {
                    dataPack = null;
                } else {
                    treePack = null;
                }
            }
        }
        if (full != null) {
            upload(full);
        }
    }

    private void upload(PackBuilder builder) {
        uploadSlots.acquireUninterruptibly();
        CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
            try {
                PackBuilder.Pack pack = builder.finish();
                repository.backend().save(new Handle(FileType.PACK, pack.id().hex()),
                        new java.io.ByteArrayInputStream(pack.bytes(), 0, pack.length()), pack.length());
                bytesAdded.addAndGet(pack.length());
                boolean full;
                synchronized (unindexed) {
                    unindexed.add(new IndexFile.PackRecord(pack.id(), pack.entries()));
                    full = unindexed.size() >= PACKS_PER_INDEX_FILE;
                }
                if (full) {
                    writeIndexFile();
                }
            } catch (IOException e) {
                failure = e;
                throw new UncheckedIOException("saving a pack to " + repository.backend().location() + " failed: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            } finally {
                uploadSlots.release();
            }
        }, uploader);
        synchronized (uploads) {
            uploads.removeIf(CompletableFuture::isDone);
            uploads.add(f);
        }
    }

    private void checkFailure() {
        Throwable f = failure;
        if (f != null) {
            throw new RepositoryException("an earlier pack upload failed: " + f.getMessage(), f);
        }
    }

    /**
     * Uploads the partial packs, waits for every upload and writes index files for the new
     * packs. After it returns, every blob saved so far is durable and indexed.
     */
    public void flush() throws IOException {
        PackBuilder data;
        PackBuilder tree;
        synchronized (dataLock) {
            data = dataPack;
            dataPack = null;
        }
        synchronized (treeLock) {
            tree = treePack;
            treePack = null;
        }
        if (data != null) {
            upload(data);
        }
        if (tree != null) {
            upload(tree);
        }
        List<CompletableFuture<Void>> pending;
        synchronized (uploads) {
            pending = new ArrayList<>(uploads);
            uploads.clear();
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(e.getCause().getMessage(), e.getCause());
        }
        writeIndexFile();
    }

    /**
     * Writes one index file for the packs uploaded since the last one, and only then records
     * them in the blob index: the catalog never names a pack that no index file names, so a copy
     * of the repository is always as complete as the catalog believes.
     */
    private void writeIndexFile() throws IOException {
        List<IndexFile.PackRecord> records;
        synchronized (unindexed) {
            if (unindexed.isEmpty()) {
                return;
            }
            records = new ArrayList<>(unindexed);
            unindexed.clear();
        }
        Id file = repository.saveUnpacked(FileType.INDEX, IndexFile.encode(records, List.of()));
        repository.index().add(file, records);
        records.forEach(r -> r.blobs().forEach(b -> inFlight.remove(b.id())));
    }

    /** Bytes of packs written so far: what the repository grew by. */
    public long bytesAdded() {
        return bytesAdded.get();
    }

    /**
     * Bytes of new blobs, compressed and encrypted, including those in packs still being filled:
     * what the repository grows by, less pack headers, as soon as each blob is stored.
     */
    public long bytesSealed() {
        return bytesSealed.get();
    }

    /**
     * Ends the saver. Uploads already queued finish and packs already stored get their index
     * file, even when the session failed, so that their blobs count for later backups; the
     * upload thread is gone when this returns.
     */
    @Override
    public void close() {
        uploader.shutdown();
        try {
            if (!uploader.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new RepositoryException("pack uploads to " + repository.backend().location() + " did not finish in 10 minutes");
            }
            writeIndexFile();
        } catch (InterruptedException e) {
            uploader.shutdownNow();
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new RepositoryException("writing the index of packs already stored failed: " + e.getMessage()
                    + "; they will be indexed from their headers when the appliance starts", e);
        }
    }
}
