package app.threefold.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.MemoryBackend;
import app.threefold.chunker.Chunker;
import app.threefold.chunker.ChunkerParams;
import app.threefold.crypto.KeyFile;
import app.threefold.index.MemoryIndex;
import app.threefold.ingest.ContentDigests;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import app.threefold.repository.TestTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening an existing file for writing without truncating it (an append, a resumed upload, a
 * partial overwrite) copies its bytes out of the repository into a spool. That copy must not hold
 * up the device's other connections, which share the overlay: rclone and OpenSSH's sftp open
 * several, and a slow repository (a disk spinning up, a remote primary) would freeze them all.
 */
class OpenWriteTest {
    /** Generous: only a connection that is blocked outright misses it. */
    private static final long PATIENCE_SECONDS = 30;
    @TempDir
    Path tmp;
    ExecutorService workers;
    ExecutorService clients;
    GatedBackend backend;
    Repository repo;
    Overlay overlay;

    @BeforeEach
    void setUp() throws Exception {
        workers = Executors.newFixedThreadPool(2);
        clients = Executors.newCachedThreadPool();
        backend = new GatedBackend(new MemoryBackend());
        repo = Repository.create(backend, "password".toCharArray(), new KeyFile.Params(1024, 8, 1), new MemoryIndex(),
                new SecureRandom(), Clock.systemUTC());
        overlay = newOverlay();
    }

    @AfterEach
    void tearDown() throws Exception {
        backend.open();
        overlay.close();
        clients.shutdownNow();
        workers.shutdownNow();
    }

    private Overlay newOverlay() throws IOException {
        Clock clock = Clock.systemUTC();
        return new Overlay("laptop", repo, new BlobSaver(repo, workers), new Chunker(ChunkerParams.DEFAULT, repo.chunkerKey()),
                ContentDigests.NONE, Executors.newSingleThreadExecutor(), clock,
                Journal.create(tmp.resolve("session"), "laptop", ""), Overlay.Quota.NONE,
                new Backlog(1L << 30, Duration.ZERO), null, RepositoryLock.acquire(repo, false, clock));
    }

    private static void put(Overlay o, List<String> path, byte[] bytes) throws Exception {
        Overlay.WriteHandle w = o.openWrite(path, true, true, false, 0644);
        w.write(0, ByteBuffer.wrap(bytes));
        w.close(true);
    }

    private static byte[] read(Overlay o, List<String> path) throws Exception {
        try (Overlay.ReadHandle r = o.openRead(path)) {
            ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(r.size()));
            while (all.hasRemaining() && r.read(all.position(), all) > 0) {
                // read until full
            }
            return all.array();
        }
    }

    /** A file in the repository (not in a spool): what a later session finds when it appends. */
    private byte[] storedFile(List<String> path, int size) throws Exception {
        byte[] bytes = TestTrees.bytes(new Random(7), size);
        put(overlay, path, bytes);
        assertThat(overlay.commit(List.of())).isPresent();
        return bytes;
    }

    @Test
    void whileAnAppendCopiesTheOldBytesOutOfTheRepositoryTheDevicesOtherConnectionsListAndWrite() throws Exception {
        byte[] old = storedFile(List.of("video.mp4"), 3 << 20);
        backend.closeForPacks();

        CompletableFuture<Overlay.WriteHandle> append = CompletableFuture.supplyAsync(() -> {
            try {
                return overlay.openWrite(List.of("video.mp4"), false, false, false, 0644);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, clients);
        assertThat(backend.awaitBlockedReader(PATIENCE_SECONDS)).as("the append reads the old bytes from the repository").isTrue();

        CompletableFuture<List<String>> listed = CompletableFuture.supplyAsync(() -> {
            try {
                return overlay.list(List.of()).stream().map(Entry::name).toList();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, clients);
        CompletableFuture<Void> wrote = CompletableFuture.runAsync(() -> {
            try {
                put(overlay, List.of("notes.txt"), "written meanwhile".getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, clients);
        try {
            assertThat(listed.get(PATIENCE_SECONDS, TimeUnit.SECONDS)).as("a listing by another connection").contains("video.mp4");
            wrote.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            assertThat(append).as("the append still waits for the repository").isNotDone();
        } finally {
            backend.open();
        }

        Overlay.WriteHandle w = append.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        assertThat(w.size()).isEqualTo(old.length);
        byte[] tail = "and a little more".getBytes(StandardCharsets.UTF_8);
        w.write(old.length, ByteBuffer.wrap(tail));
        w.close(true);

        byte[] expected = Arrays.copyOf(old, old.length + tail.length);
        System.arraycopy(tail, 0, expected, old.length, tail.length);
        assertThat(read(overlay, List.of("video.mp4"))).isEqualTo(expected);
        assertThat(read(overlay, List.of("notes.txt"))).asString(StandardCharsets.UTF_8).isEqualTo("written meanwhile");
        assertThat(overlay.commit(List.of())).isPresent();
        assertThat(read(overlay, List.of("video.mp4"))).isEqualTo(expected);
    }

    @Test
    void aPartialOverwriteKeepsTheBytesAroundTheWrittenRange() throws Exception {
        byte[] old = storedFile(List.of("disk.img"), (1 << 20) + 12345);
        Overlay.WriteHandle w = overlay.openWrite(List.of("disk.img"), false, false, false, 0644);
        byte[] patch = "patched".getBytes(StandardCharsets.UTF_8);
        w.write(1000, ByteBuffer.wrap(patch));
        w.close(true);

        byte[] expected = old.clone();
        System.arraycopy(patch, 0, expected, 1000, patch.length);
        assertThat(read(overlay, List.of("disk.img"))).isEqualTo(expected);
        assertThat(overlay.commit(List.of())).isPresent();
        assertThat(read(overlay, List.of("disk.img"))).isEqualTo(expected);
    }

    @Test
    void aFileReplacedWhileItsOldBytesWereCopiedIsOpenedOnTheNewVersion() throws Exception {
        storedFile(List.of("report.txt"), 2 << 20);
        backend.closeForPacks();
        CompletableFuture<Overlay.WriteHandle> append = CompletableFuture.supplyAsync(() -> {
            try {
                return overlay.openWrite(List.of("report.txt"), false, false, false, 0644);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, clients);
        assertThat(backend.awaitBlockedReader(PATIENCE_SECONDS)).isTrue();
        byte[] replaced = "the version another connection uploaded meanwhile".getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Void> wrote = CompletableFuture.runAsync(() -> {
            try {
                put(overlay, List.of("report.txt"), replaced);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, clients);
        try {
            wrote.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } finally {
            backend.open();
        }
        Overlay.WriteHandle w = append.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        // As if the two opens had come one after the other: the append starts from what is there now.
        assertThat(w.size()).isEqualTo(replaced.length);
        w.write(replaced.length, ByteBuffer.wrap("!".getBytes(StandardCharsets.UTF_8)));
        w.close(true);
        assertThat(read(overlay, List.of("report.txt"))).asString(StandardCharsets.UTF_8)
                .isEqualTo("the version another connection uploaded meanwhile!");
    }

    @Test
    void aFileStoredInThisSessionReadsBackBeforeTheSessionCommits() throws Exception {
        byte[] bytes = TestTrees.bytes(new Random(8), 100_000);
        put(overlay, List.of("small.txt"), bytes);
        // Storing runs at once here (no quiet time), and its blobs wait in a pack not yet written.
        overlay.awaitStoring();

        assertThat(read(overlay, List.of("small.txt"))).isEqualTo(bytes);
        Overlay.WriteHandle append = overlay.openWrite(List.of("small.txt"), false, false, false, 0644);
        assertThat(append.size()).isEqualTo(bytes.length);
        append.close(true);
    }

    /** Holds reads of packs while closed; everything else passes. */
    static final class GatedBackend implements Backend {
        private final Backend inner;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile CountDownLatch gate = new CountDownLatch(0);
        private final CountDownLatch blocked = new CountDownLatch(1);

        GatedBackend(Backend inner) {
            this.inner = inner;
        }

        void closeForPacks() {
            gate = new CountDownLatch(1);
            closed.set(true);
        }

        void open() {
            closed.set(false);
            gate.countDown();
        }

        boolean awaitBlockedReader(long seconds) throws InterruptedException {
            return blocked.await(seconds, TimeUnit.SECONDS);
        }

        @Override
        public String location() {
            return inner.location();
        }

        @Override
        public void save(Handle handle, InputStream data, long length) throws IOException {
            inner.save(handle, data, length);
        }

        @Override
        public InputStream open(Handle handle, long offset, long length) throws IOException {
            if (handle.type() == FileType.PACK && closed.get()) {
                blocked.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted at the gate");
                }
            }
            return inner.open(handle, offset, length);
        }

        @Override
        public long stat(Handle handle) throws IOException {
            return inner.stat(handle);
        }

        @Override
        public void list(FileType type, Consumer<ObjectInfo> each) throws IOException {
            inner.list(type, each);
        }

        @Override
        public void remove(Handle handle) throws IOException {
            inner.remove(handle);
        }
    }
}
