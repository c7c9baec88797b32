package app.threefold.repository;

import app.threefold.ThreefoldException;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Saves blobs into a repository for one writer (a backup, an SFTP session): deduplicates against
 * the blobs other writers have in flight and the index, compresses, encrypts and hands the blobs
 * to the repository's {@link PackWriter}, which packs, uploads and indexes them for all writers.
 * Work runs on the given worker pool; packs upload on a thread of their own so that fsync overlaps
 * with hashing.
 *
 * <p>Write ordering (docs/repository.md): a pack is in the backend before any index file names
 * it, an index file before the blob index (catalog) records its packs, and {@link #flush}
 * writes the last index file before a snapshot may name the blobs, including those this saver
 * relied on another writer to store.
 */
public final class BlobSaver implements AutoCloseable {
    /** Packs this large keep the number of files low without making a damaged pack costly. */
    public static final int DEFAULT_PACK_SIZE = 16 << 20;

    private final Repository repository;
    private final PackWriter packs;
    private final ExecutorService workers;
    /**
     * Packs holding blobs whose ids this saver has handed out, stored by it or by another saver,
     * that are not yet known to be indexed: what {@link #flush} waits for.
     */
    private final Set<PackWriter.OpenPack> needed = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytesAdded = new AtomicLong();
    private final AtomicLong bytesSealed = new AtomicLong();
    private volatile Throwable failure;

    public BlobSaver(Repository repository, ExecutorService workers) {
        this.repository = repository;
        this.packs = repository.packs();
        this.workers = workers;
    }

    /**
     * Saves a batch of data chunks; the future yields their ids in order. Chunks already in the
     * repository, in this batch or an earlier one, or being stored by another saver are stored once.
     */
    public CompletableFuture<List<Id>> saveData(List<byte[]> chunks) {
        List<CompletableFuture<Id>> hashed = new ArrayList<>(chunks.size());
        for (byte[] c : chunks) {
            hashed.add(CompletableFuture.supplyAsync(() -> Id.hash(c), workers));
        }
        return CompletableFuture.allOf(hashed.toArray(CompletableFuture[]::new)).thenComposeAsync(v -> {
            List<Id> ids = hashed.stream().map(CompletableFuture::join).toList();
            List<CompletableFuture<Void>> stored = new ArrayList<>();
            // In flight first, the index second: a blob leaves the in-flight set only once the index has it.
            boolean[] flying = new boolean[ids.size()];
            List<Id> rest = new ArrayList<>(ids.size());
            for (int i = 0; i < ids.size(); i++) {
                PackWriter.Pending p = packs.inFlight(BlobType.DATA, ids.get(i));
                if (p != null) {
                    flying[i] = true;
                    stored.add(relyOn(p, ids.get(i), chunks.get(i)));
                } else {
                    rest.add(ids.get(i));
                }
            }
            Set<Id> known = rest.isEmpty() ? Set.of() : repository.index().known(BlobType.DATA, rest);
            for (int i = 0; i < ids.size(); i++) {
                if (!flying[i] && !known.contains(ids.get(i))) {
                    stored.add(storeOrRely(ids.get(i), chunks.get(i)));
                }
            }
            return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).thenApply(x -> ids);
        }, workers);
    }

    /** Stores the chunk, unless another saver has just taken it on. */
    private CompletableFuture<Void> storeOrRely(Id id, byte[] chunk) {
        PackWriter.Claim claim = packs.claim(BlobType.DATA, id);
        if (!claim.mine()) {
            return relyOn(claim.pending(), id, chunk);
        }
        try {
            return CompletableFuture.runAsync(() -> store(BlobType.DATA, id, chunk, claim.pending()), workers);
        } catch (RuntimeException e) {
            // E.g. the pool is shutting down: whoever relied on this claim stores the chunk itself.
            packs.abandon(BlobType.DATA, id, claim.pending(), e);
            throw e;
        }
    }

    /**
     * Waits until the other saver has put the chunk into a pack, which this saver then needs
     * before its snapshot; if that saver failed first, stores the chunk itself. Placing is
     * compression and encryption only, so the wait is short and the chunk is held no longer.
     */
    private CompletableFuture<Void> relyOn(PackWriter.Pending pending, Id id, byte[] chunk) {
        return pending.placed.handle((pack, error) -> {
            if (error == null) {
                need(pack);
                return CompletableFuture.<Void>completedFuture(null);
            }
            return storeOrRely(id, chunk);
        }).thenCompose(f -> f);
    }

    /** The pool the saver hashes, compresses and encrypts on; callers with CPU work of their own share it. */
    public ExecutorService workers() {
        return workers;
    }

    /** Saves a tree blob on the calling thread; returns its id. */
    public Id saveTree(byte[] json) {
        Id id = Id.hash(json);
        PackWriter.Pending pending = packs.inFlight(BlobType.TREE, id);
        if (pending == null && repository.index().find(BlobType.TREE, id).isPresent()) {
            return id;
        }
        while (true) {
            if (pending == null) {
                PackWriter.Claim claim = packs.claim(BlobType.TREE, id);
                if (claim.mine()) {
                    store(BlobType.TREE, id, json, claim.pending());
                    return id;
                }
                pending = claim.pending();
            }
            try {
                need(pending.placed.join());
                return id;
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                // The saver storing it failed before packing it: store it here.
                pending = null;
            }
        }
    }

    private void store(BlobType type, Id id, byte[] plain, PackWriter.Pending pending) {
        try {
            checkFailure();
            byte[] compressed = repository.version() >= 2 ? repository.compression().compressBlob(plain, 0, plain.length) : null;
            byte[] sealed = repository.crypto().seal(compressed != null ? compressed : plain);
            bytesSealed.addAndGet(sealed.length);
            need(packs.add(type, id, sealed, compressed != null ? plain.length : 0, pending, bytesAdded));
        } catch (RuntimeException e) {
            packs.abandon(type, id, pending, e);
            throw e;
        }
    }

    private void need(PackWriter.OpenPack pack) {
        if (needed.add(pack)) {
            pack.uploaded.whenComplete((v, e) -> {
                if (e != null) {
                    failure = e;
                }
            });
            // Packs are indexed every so often without a flush: a long backup does not keep them all.
            if (needed.size() > 2 * PackWriter.PACKS_PER_INDEX_FILE) {
                needed.removeIf(p -> p.indexed.isDone());
            }
        }
    }

    private void checkFailure() {
        Throwable f = failure;
        if (f != null) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "an earlier pack upload failed: " + f.getMessage(), f);
        }
    }

    /**
     * Seals the packs being filled that hold blobs this saver handed out (its own or another
     * saver's, which may have failed since), waits for their uploads and writes the index file
     * for them. After it returns, every blob whose save has completed is durable and indexed.
     */
    public void flush() throws IOException {
        // The packs as they are now: a file stored meanwhile (an SFTP upload closing during a commit)
        // may add a pack, which this flush neither seals nor waits for.
        Set<PackWriter.OpenPack> waiting = Set.copyOf(needed);
        packs.seal(waiting);
        try {
            CompletableFuture.allOf(waiting.stream().map(p -> p.uploaded).toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        }
        packs.writeIndexFile();
        for (PackWriter.OpenPack p : waiting) {
            if (!p.indexed.isDone()) {
                throw new IllegalStateException("a pack uploaded before the index file was written is not indexed");
            }
        }
        needed.removeAll(waiting);
    }

    /** Bytes of packs written so far for this saver's blobs: what the repository grew by. */
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
     * Ends the saver. Packs already sealed finish uploading and get their index file, even when
     * the session failed, so that their blobs count for later backups. Its blobs in a pack still
     * being filled stay there: the repository's next flush that needs that pack stores them, so
     * another saver that relied on them is never left without them.
     */
    @Override
    public void close() {
        List<CompletableFuture<Void>> uploading = needed.stream().filter(PackWriter.OpenPack::sealed).map(p -> p.uploaded).toList();
        try {
            // A failed upload was reported to whoever needed the pack; here only the end of each matters.
            CompletableFuture.allOf(uploading.toArray(CompletableFuture[]::new)).handle((v, e) -> null).get(10, TimeUnit.MINUTES);
            packs.writeIndexFile();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "pack uploads to " + repository.backend().location() + " did not finish in 10 minutes", e);
        } catch (IOException e) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "writing the index of packs already stored failed: " + e.getMessage()
                    + "; they will be indexed from their headers when the appliance starts", e);
        }
    }
}
