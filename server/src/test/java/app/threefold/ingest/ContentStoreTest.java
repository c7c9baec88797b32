package app.threefold.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.backend.LocalBackend;
import app.threefold.chunker.Chunker;
import app.threefold.chunker.ChunkerParams;
import app.threefold.crypto.KeyFile;
import app.threefold.format.Id;
import app.threefold.index.MemoryIndex;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.TestTrees;
import app.threefold.restore.ContentReader;
import app.threefold.tree.Node;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files share batches and are hashed on the workers: what a restore test later compares against
 * (the whole-file SHA-256) must still be each file's own digest, whatever its shape.
 */
class ContentStoreTest {
    @TempDir
    Path tmp;

    private ExecutorService workers;
    private Repository repo;
    private final Map<Id, byte[]> recorded = new ConcurrentHashMap<>();
    private final ContentDigests digests = new ContentDigests() {
        @Override
        public void record(Id contentKey, long size, byte[] sha256) {
            recorded.put(contentKey, sha256);
        }

        @Override
        public void flush() {
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        workers = Executors.newFixedThreadPool(3);
        repo = Repository.create(LocalBackend.create(tmp.resolve("repo")), "password".toCharArray(),
                new KeyFile.Params(1024, 8, 1), new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        workers.shutdownNow();
    }

    @Test
    void everyFileGetsItsOwnDigestAndContentWhetherEmptyOneChunkOrSpanningBatches() throws Exception {
        Random random = new Random(5);
        List<byte[]> files = new ArrayList<>();
        files.add(new byte[0]);
        for (int i = 0; i < 150; i++) {
            files.add(TestTrees.bytes(random, 1 + random.nextInt(40_000)));   // one chunk each, many per batch
        }
        files.add(TestTrees.bytes(random, 20 * 1024 * 1024 + 3));           // spans several batches
        files.add(TestTrees.bytes(random, 300_000));                        // a few chunks
        files.add(new byte[0]);

        List<ContentStore.Stored> stored = new ArrayList<>();
        try (BlobSaver saver = new BlobSaver(repo, workers)) {
            ContentStore store = new ContentStore(chunker(), saver, digests, 16);
            for (byte[] f : files) {
                stored.add(store.store(new ByteArrayInputStream(f)));
            }
            store.flush();
            for (int i = 0; i < files.size(); i++) {
                List<Id> ids = stored.get(i).content().get();
                assertThat(stored.get(i).size()).isEqualTo(files.get(i).length);
                assertThat(hex(recorded.get(Node.contentKey(ids)))).as("digest of file %d", i).isEqualTo(sha256(files.get(i)));
            }
            saver.flush();
            for (int i = 0; i < files.size(); i++) {
                List<Id> ids = stored.get(i).content().get();
                try (InputStream in = new ContentReader(repo, ids).stream(0, -1)) {
                    assertThat(in.readAllBytes()).as("content of file %d", i).isEqualTo(files.get(i));
                }
            }
        }
    }

    @Test
    void aFileThatFailsMidReadLeavesTheFilesBesideItInTheBatchIntact() throws Exception {
        Random random = new Random(6);
        byte[] before = TestTrees.bytes(random, 10_000);
        byte[] after = TestTrees.bytes(random, 12_000);
        try (BlobSaver saver = new BlobSaver(repo, workers)) {
            ContentStore store = new ContentStore(chunker(), saver, digests, 16);
            ContentStore.Stored first = store.store(new ByteArrayInputStream(before));
            InputStream failing = new InputStream() {
                private final InputStream data = new ByteArrayInputStream(TestTrees.bytes(random, 2_000_000));

                @Override
                public int read() throws IOException {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = data.read(b, off, Math.min(len, 64 * 1024));
                    if (n < 0) {
                        throw new IOException("disk read error");
                    }
                    return n;
                }
            };
            assertThatThrownBy(() -> store.store(failing)).isInstanceOf(IOException.class).hasMessageContaining("disk read error");
            ContentStore.Stored last = store.store(new ByteArrayInputStream(after));
            store.flush();
            last.content().get();
            first.content().get();
            saver.flush();
            try (InputStream in = new ContentReader(repo, first.content().get()).stream(0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(before);
            }
            try (InputStream in = new ContentReader(repo, last.content().get()).stream(0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(after);
            }
            assertThat(hex(recorded.get(Node.contentKey(last.content().get())))).isEqualTo(sha256(after));
        }
    }

    @Test
    void aBudgetTooSmallForOneBatchAndOneChunkIsRefusedRatherThanStallingLater() throws Exception {
        try (BlobSaver saver = new BlobSaver(repo, workers)) {
            assertThatThrownBy(() -> new ContentStore(chunker(), saver, digests, 8))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 9 MiB");
        }
    }

    private Chunker chunker() {
        return new Chunker(ChunkerParams.DEFAULT, repo.chunkerKey());
    }

    private static String sha256(byte[] data) {
        return hex(Id.sha256().digest(data));
    }

    private static String hex(byte[] b) {
        return b == null ? "none recorded" : HexFormat.of().formatHex(b);
    }
}
