package app.threefold.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.LocalBackend;
import app.threefold.crypto.KeyFile;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.index.MemoryIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers of one repository at once (two devices' sessions, a device and a NAS folder):
 * what one of them is still storing, the other finds instead of storing it again, and a blob
 * one of them relied on is stored and indexed whatever happens to the other.
 */
class SharedDedupTest {
    private static final String PASSWORD = "password";
    private static final int CHUNK = 256 << 10;

    @TempDir
    Path tmp;

    private ExecutorService workers;
    private Repository repo;
    /** While set, storing a pack fails as on a full disk. */
    private final AtomicBoolean diskFull = new AtomicBoolean();

    /** The local folder, but packs cannot be stored while {@link #diskFull} is set. */
    private final class FillingDisk implements Backend {
        private final Backend disk;

        FillingDisk(Backend disk) {
            this.disk = disk;
        }

        @Override
        public String location() {
            return disk.location();
        }

        @Override
        public void save(Handle handle, InputStream data, long length) throws IOException {
            if (diskFull.get() && handle.type() == FileType.PACK) {
                throw new IOException("No space left on device");
            }
            disk.save(handle, data, length);
        }

        @Override
        public InputStream open(Handle handle, long offset, long length) throws IOException {
            return disk.open(handle, offset, length);
        }

        @Override
        public long stat(Handle handle) throws IOException {
            return disk.stat(handle);
        }

        @Override
        public void list(FileType type, Consumer<ObjectInfo> each) throws IOException {
            disk.list(type, each);
        }

        @Override
        public void remove(Handle handle) throws IOException {
            disk.remove(handle);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        workers = Executors.newFixedThreadPool(3);
        repo = Repository.create(new FillingDisk(LocalBackend.create(tmp.resolve("repo"))), PASSWORD.toCharArray(),
                new KeyFile.Params(1024, 8, 1), new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        workers.shutdownNow();
    }

    private static List<byte[]> chunks(long seed, int n) {
        Random random = new Random(seed);
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            chunks.add(TestTrees.bytes(random, CHUNK));
        }
        return chunks;
    }

    private long packBytes() throws IOException {
        try (Stream<Path> walk = Files.walk(tmp.resolve("repo/data"))) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private void assertStoredAndIndexed(List<byte[]> chunks, List<Id> ids) throws IOException, InterruptedException {
        for (int i = 0; i < ids.size(); i++) {
            assertThat(repo.loadBlob(BlobType.DATA, ids.get(i))).as("chunk %d", i).isEqualTo(chunks.get(i));
        }
        assertThat(new ResticCli(tmp.resolve("repo"), PASSWORD).ok("check", "--read-data")).contains("no errors were found");
    }

    @Test
    void twoWritersSavingTheSameNewChunksAtOnceStoreThemOnce() throws Exception {
        List<byte[]> chunks = chunks(1, 80);   // 20 MiB: more than one pack
        long copy = (long) chunks.size() * CHUNK;
        List<Id> ids;
        try (BlobSaver laptop = new BlobSaver(repo, workers);
             BlobSaver desktop = new BlobSaver(repo, workers)) {
            // Both have their chunks taken before either has finished (indexed) anything.
            ids = laptop.saveData(chunks).join();
            assertThat(desktop.saveData(chunks).join()).isEqualTo(ids);
            desktop.flush();
            laptop.flush();
            assertThat(laptop.bytesAdded() + desktop.bytesAdded()).as("bytes added, counted once").isEqualTo(packBytes());
        }
        assertThat(packBytes()).as("the repository grew by one copy").isBetween(copy, copy + copy / 20);
        assertStoredAndIndexed(chunks, ids);
    }

    @Test
    void aWriterThatFailsAfterAnotherReliedOnItsChunksLeavesThemStoredForTheOther() throws Exception {
        List<byte[]> chunks = chunks(2, 20);   // 5 MiB: all in the pack being filled
        BlobSaver failing = new BlobSaver(repo, workers);
        List<Id> ids = failing.saveData(chunks).join();
        try (BlobSaver other = new BlobSaver(repo, workers)) {
            assertThat(other.saveData(chunks).join()).isEqualTo(ids);
            // The first session dies without flushing: its snapshot is never written, the other's is.
            failing.close();
            other.flush();
        }
        assertStoredAndIndexed(chunks, ids);
    }

    @Test
    void aWriterRelyingOnAnotherIsNotHeldUpByItsNextChunks() throws Exception {
        List<byte[]> shared = chunks(3, 8);
        try (BlobSaver busy = new BlobSaver(repo, workers);
             BlobSaver quick = new BlobSaver(repo, workers)) {
            busy.saveData(shared).join();
            List<Id> ids = quick.saveData(shared).join();
            // The quick one's snapshot may be written now, while the busy one goes on filling its pack.
            quick.flush();
            List<byte[]> more = chunks(4, 8);
            List<Id> moreIds = busy.saveData(more).join();
            busy.flush();
            assertStoredAndIndexed(shared, ids);
            assertStoredAndIndexed(more, moreIds);
        }
    }

    @Test
    void aPackThatCannotBeStoredFailsEveryWriterRelyingOnItAndALaterWriterStoresItsBlobsAgain() throws Exception {
        List<byte[]> chunks = chunks(5, 12);
        try (BlobSaver laptop = new BlobSaver(repo, workers); BlobSaver desktop = new BlobSaver(repo, workers)) {
            laptop.saveData(chunks).join();
            desktop.saveData(chunks).join();
            diskFull.set(true);
            // Neither may write a snapshot naming those blobs.
            assertThatThrownBy(desktop::flush).isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
            assertThatThrownBy(laptop::flush).isInstanceOf(IOException.class).hasMessageContaining("No space left on device");
        }
        diskFull.set(false);
        try (BlobSaver later = new BlobSaver(repo, workers)) {
            List<Id> ids = later.saveData(chunks).join();
            later.flush();
            assertThat(later.bytesAdded()).as("stored again, not taken for stored").isGreaterThan(12L * CHUNK);
            assertStoredAndIndexed(chunks, ids);
        }
    }
}
