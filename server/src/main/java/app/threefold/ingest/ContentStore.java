package app.threefold.ingest;

import app.threefold.chunker.ChunkReader;
import app.threefold.chunker.Chunker;
import app.threefold.format.Id;
import app.threefold.repository.BlobSaver;
import app.threefold.tree.Node;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

/**
 * Stores files' content: the calling thread reads and cuts chunks; the workers hash the whole
 * file and hand the chunks to the blob saver. At most {@code maxInFlightMiB} of chunks wait
 * for them, so memory does not grow with file size. Both sources use it: folders on the NAS and
 * SFTP spools.
 *
 * <p>Chunks of consecutive files share batches, so a folder of small documents costs one dedup
 * look-up per batch rather than one per file; {@link #flush} sends the last, partial batch.
 * Not thread-safe: one thread at a time stores files.
 */
public final class ContentStore {
    private static final int BATCH_BYTES = 8 << 20;
    private static final int BATCH_CHUNKS = 64;
    private static final byte[] EMPTY_SHA256 = Id.sha256().digest();

    private final Chunker chunker;
    private final BlobSaver saver;
    private final ContentDigests digests;
    private final Executor workers;
    /** In KiB, so that the permits fit an int. */
    private final Semaphore inFlight;
    private Batch batch = new Batch();

    /** Chunks on their way to the saver together, and what waits for them. */
    private static final class Batch {
        /** Dropped once sent: files keep their batch for its ids, and must not keep its data alive. */
        List<byte[]> chunks = new ArrayList<>();
        /** Completes with the ids of all chunks once the saver has them. */
        final CompletableFuture<List<Id>> ids = new CompletableFuture<>();
        /** Whole-file hashing that still reads these chunks: their room is given back after it. */
        final List<CompletableFuture<Void>> hashing = new ArrayList<>();
        int bytes;
        int permits;
    }

    public ContentStore(Chunker chunker, BlobSaver saver, ContentDigests digests, int maxInFlightMiB) {
        this.chunker = chunker;
        this.saver = saver;
        this.digests = digests;
        this.workers = saver.workers();
        // The batch being filled holds its room until it is sent: beside it, one more chunk must fit.
        int maxChunkKiB = kib(chunker.params().maxSize());
        int neededKiB = (BATCH_BYTES >>> 10) + 2 * maxChunkKiB + BATCH_CHUNKS;
        if (maxInFlightMiB * 1024 < neededKiB) {
            throw new IllegalArgumentException("an in-flight budget of " + maxInFlightMiB + " MiB could stall; give at least "
                    + (neededKiB + 1023) / 1024 + " MiB");
        }
        this.inFlight = new Semaphore(maxInFlightMiB * 1024);
    }

    /** A file read to its end: its size, and its blob ids once the workers have saved them. */
    public record Stored(long size, CompletableFuture<List<Id>> content) {
    }

    /** One file's chunks in one batch: {@code batch.chunks[from, to)}. */
    private record Part(Batch batch, int from, int to) {
    }

    /**
     * Reads {@code in} to its end (the caller closes it). The content future completes when every
     * chunk is saved and the file's whole-content SHA-256 has been recorded; a file's last chunks
     * may wait in the current batch until it fills or {@link #flush} is called.
     */
    public Stored store(InputStream in) throws IOException {
        FileHash hash = new FileHash();
        List<Part> parts = new ArrayList<>();
        long size = 0;
        int from = batch.chunks.size();
        int heldHere = 0;
        CountingInputStream counted = new CountingInputStream(in);
        try (ChunkReader reader = chunker.reader(counted)) {
            byte[] chunk;
            while ((chunk = reader.next()) != null) {
                int permits = kib(chunk.length);
                inFlight.acquireUninterruptibly(permits);
                batch.permits += permits;
                heldHere += permits;
                batch.chunks.add(chunk);
                batch.bytes += chunk.length;
                size += chunk.length;
                hash.chunks++;
                if (batch.bytes >= BATCH_BYTES || batch.chunks.size() >= BATCH_CHUNKS) {
                    hash.add(batch, from, batch.chunks.size());
                    parts.add(new Part(batch, from, batch.chunks.size()));
                    submit();
                    from = 0;
                    heldHere = 0;
                }
            }
            // The digest is taken over the chunks, so it alone would not notice a chunker that lost
            // or repeated bytes: the count of what was read does.
            if (counted.count != size) {
                throw new IOException("read " + counted.count + " bytes but cut " + size + " into chunks; the file is left out");
            }
        } catch (IOException | RuntimeException e) {
            // The file is dropped: its chunks still waiting in the batch go, and give their room back.
            batch.chunks.subList(from, batch.chunks.size()).clear();
            batch.bytes = batch.chunks.stream().mapToInt(c -> c.length).sum();
            batch.permits -= heldHere;
            inFlight.release(heldHere);
            throw e;
        }
        if (from < batch.chunks.size()) {
            if (hash.chunks > 1) {
                hash.add(batch, from, batch.chunks.size());
            }
            parts.add(new Part(batch, from, batch.chunks.size()));
        }
        long fileSize = size;
        CompletableFuture<List<Id>> content = idsOf(parts).thenCombine(hash.done, (ids, ignored) -> {
            // A file of one chunk is that chunk: its SHA-256 is the blob id, no second pass needed.
            byte[] digest = ids.isEmpty() ? EMPTY_SHA256.clone() : ids.size() == 1 ? ids.get(0).bytes() : hash.sha.digest();
            digests.record(Node.contentKey(ids), fileSize, digest);
            return ids;
        });
        return new Stored(size, content);
    }

    /** Sends the partial batch to the saver; every file stored so far then completes on its own. */
    public void flush() {
        if (!batch.chunks.isEmpty()) {
            submit();
        }
    }

    private void submit() {
        Batch sent = batch;
        batch = new Batch();
        List<byte[]> chunks = sent.chunks;
        sent.chunks = null;
        CompletableFuture<List<Id>> saved;
        try {
            saved = saver.saveData(chunks);
        } catch (RuntimeException e) {
            // E.g. the worker pool is shutting down: the batch's files fail, its room comes back.
            saved = CompletableFuture.failedFuture(e);
        }
        saved.whenComplete((ids, error) -> {
            if (error != null) {
                sent.ids.completeExceptionally(error);
            } else {
                sent.ids.complete(ids);
            }
            CompletableFuture.allOf(sent.hashing.toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> inFlight.release(sent.permits));
        });
    }

    private static CompletableFuture<List<Id>> idsOf(List<Part> parts) {
        CompletableFuture<?>[] all = parts.stream().map(p -> p.batch().ids).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all).thenApply(v -> {
            List<Id> ids = new ArrayList<>();
            for (Part p : parts) {
                ids.addAll(p.batch().ids.join().subList(p.from(), p.to()));
            }
            return ids;
        });
    }

    /**
     * A file's whole-content SHA-256, computed on the workers in chunk order: one task per batch
     * the file spans, each after the previous, so the reading thread only reads and cuts.
     */
    private final class FileHash {
        final MessageDigest sha = Id.sha256();
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        int chunks;

        void add(Batch in, int from, int to) {
            List<byte[]> slice = List.copyOf(in.chunks.subList(from, to));
            done = done.thenRunAsync(() -> slice.forEach(sha::update), workers);
            in.hashing.add(done);
        }
    }

    /** Counts the bytes a stream hands out. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }

    private static int kib(int bytes) {
        return (bytes + 1023) >>> 10;
    }
}
