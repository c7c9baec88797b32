package app.threefold.ingest;

import app.threefold.chunker.ChunkReader;
import app.threefold.chunker.Chunker;
import app.threefold.format.Id;
import app.threefold.repository.BlobSaver;
import app.threefold.tree.Node;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Stores one file's content: the calling thread reads, hashes the whole file and cuts chunks;
 * the blob saver's workers do the rest. At most {@code maxInFlightMiB} of chunks wait for them,
 * so memory does not grow with file size. Both sources use it: folders on the NAS and SFTP spools.
 */
public final class ContentStore {
    private static final int BATCH_BYTES = 8 << 20;
    private static final int BATCH_CHUNKS = 64;

    private final Chunker chunker;
    private final BlobSaver saver;
    private final ContentDigests digests;
    /** In KiB, so that the permits fit an int. */
    private final Semaphore inFlight;

    public ContentStore(Chunker chunker, BlobSaver saver, ContentDigests digests, int maxInFlightMiB) {
        this.chunker = chunker;
        this.saver = saver;
        this.digests = digests;
        this.inFlight = new Semaphore(maxInFlightMiB * 1024);
    }

    /** A file read to its end: its size, and its blob ids once the workers have saved them. */
    public record Stored(long size, CompletableFuture<List<Id>> content) {
    }

    /**
     * Reads {@code in} to its end (the caller closes it). The content future completes when every
     * chunk is saved, and then the file's whole-content SHA-256 has been recorded.
     */
    public Stored store(InputStream in) throws IOException {
        MessageDigest sha = Id.sha256();
        List<CompletableFuture<List<Id>>> batches = new ArrayList<>();
        long size = 0;
        int held = 0;
        try (ChunkReader reader = chunker.reader(new DigestInputStream(in, sha))) {
            List<byte[]> batch = new ArrayList<>();
            int batchBytes = 0;
            byte[] chunk;
            while ((chunk = reader.next()) != null) {
                inFlight.acquireUninterruptibly(kib(chunk.length));
                held += kib(chunk.length);
                batch.add(chunk);
                batchBytes += chunk.length;
                size += chunk.length;
                if (batchBytes >= BATCH_BYTES || batch.size() >= BATCH_CHUNKS) {
                    batches.add(submit(batch, held));
                    batch = new ArrayList<>();
                    batchBytes = 0;
                    held = 0;
                }
            }
            if (!batch.isEmpty()) {
                batches.add(submit(batch, held));
                held = 0;
            }
        } catch (IOException | RuntimeException e) {
            // The chunks read since the last batch are dropped with the file: give their room back.
            inFlight.release(held);
            throw e;
        }
        byte[] digest = sha.digest();
        long fileSize = size;
        CompletableFuture<List<Id>> content = CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Id> ids = new ArrayList<>();
            batches.forEach(b -> ids.addAll(b.join()));
            digests.record(Node.contentKey(ids), fileSize, digest);
            return ids;
        });
        return new Stored(size, content);
    }

    private CompletableFuture<List<Id>> submit(List<byte[]> batch, int permits) {
        return saver.saveData(batch).whenComplete((ids, error) -> inFlight.release(permits));
    }

    private static int kib(int bytes) {
        return (bytes + 1023) >>> 10;
    }
}
