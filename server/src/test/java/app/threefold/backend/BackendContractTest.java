package app.threefold.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The guarantees of {@link Backend}, checked against one implementation. Every backend's test
 * extends this class and supplies a fresh, empty backend; backend-specific tests go beside them.
 */
public abstract class BackendContractTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The backend under test, fresh and empty for every test. */
    protected Backend backend;

    private final Random random = new Random(20261123L);

    /** A new, empty backend; called before every test. */
    protected abstract Backend newBackend() throws Exception;

    /** Called after every test with the backend under test; the default closes it. */
    protected void cleanUp(Backend backend) throws Exception {
        backend.close();
    }

    @BeforeEach
    final void createBackend() throws Exception {
        backend = newBackend();
    }

    @AfterEach
    final void cleanUpBackend() throws Exception {
        if (backend != null) {
            cleanUp(backend);
        }
    }

    @Test
    void an_object_reads_back_as_it_was_saved() throws IOException {
        byte[] content = randomBytes(4711);
        Handle handle = handleFor(FileType.SNAPSHOT, content);

        backend.save(handle, content);

        assertThat(backend.readAll(handle)).isEqualTo(content);
        assertThat(backend.stat(handle)).isEqualTo(4711);
        assertThat(backend.exists(handle)).isTrue();
    }

    @Test
    void an_empty_object_is_an_object_of_zero_bytes_not_a_missing_one() throws IOException {
        Handle handle = handleFor(FileType.INDEX, new byte[0]);

        backend.save(handle, new byte[0]);

        assertThat(backend.readAll(handle)).isEmpty();
        assertThat(backend.stat(handle)).isZero();
        assertThat(backend.exists(handle)).isTrue();
        assertThat(listed(FileType.INDEX)).containsExactly(Map.entry(handle, 0L));
    }

    @Test
    void a_twenty_mebibyte_pack_streams_in_and_out_unchanged() throws Exception {
        long length = 20L << 20;
        Handle handle = randomHandle(FileType.PACK);
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        backend.save(handle, new DigestInputStream(new RandomStream(length, 7), written), length);

        MessageDigest read = MessageDigest.getInstance("SHA-256");
        long count;
        try (InputStream in = backend.open(handle, 0, 0)) {
            count = new DigestInputStream(in, read).transferTo(OutputStream.nullOutputStream());
        }

        assertThat(count).isEqualTo(length);
        assertThat(read.digest()).isEqualTo(written.digest());
        assertThat(backend.stat(handle)).isEqualTo(length);
    }

    @Test
    void a_range_returns_exactly_the_bytes_asked_for() throws IOException {
        byte[] content = randomBytes(100_000);
        Handle handle = randomHandle(FileType.PACK);
        backend.save(handle, content);

        assertThat(read(handle, 0, 10)).isEqualTo(Arrays.copyOfRange(content, 0, 10));
        assertThat(read(handle, 12_345, 54_321)).isEqualTo(Arrays.copyOfRange(content, 12_345, 12_345 + 54_321));
        assertThat(read(handle, 99_999, 1)).isEqualTo(Arrays.copyOfRange(content, 99_999, 100_000));
        assertThat(read(handle, 100_000 - 37, 37)).isEqualTo(Arrays.copyOfRange(content, 100_000 - 37, 100_000));
    }

    @Test
    void a_length_of_zero_reads_from_the_offset_to_the_end() throws IOException {
        byte[] content = randomBytes(5000);
        Handle handle = randomHandle(FileType.PACK);
        backend.save(handle, content);

        assertThat(read(handle, 0, 0)).isEqualTo(content);
        assertThat(read(handle, 4000, 0)).isEqualTo(Arrays.copyOfRange(content, 4000, 5000));
        assertThat(read(handle, 5000, 0)).isEmpty();
    }

    @Test
    void a_range_past_the_end_fails_instead_of_returning_fewer_bytes() throws IOException {
        Handle handle = randomHandle(FileType.PACK);
        backend.save(handle, randomBytes(1000));

        assertThat(readFailure(handle, 990, 20)).isNotInstanceOf(NoSuchObjectException.class)
                .hasMessageContaining(handle.name());
        assertThat(readFailure(handle, 1001, 0)).isNotInstanceOf(NoSuchObjectException.class);
        assertThat(readFailure(handle, 2000, 10)).isNotInstanceOf(NoSuchObjectException.class);
    }

    @Test
    void list_reports_every_object_of_a_type_with_its_size_and_nothing_else() throws IOException {
        Map<Handle, Long> keys = saveRandom(FileType.KEY, 3);
        Map<Handle, Long> snapshots = saveRandom(FileType.SNAPSHOT, 2);
        Map<Handle, Long> indexes = saveRandom(FileType.INDEX, 4);
        backend.save(Handle.CONFIG, randomBytes(155));

        assertThat(listed(FileType.KEY)).isEqualTo(keys);
        assertThat(listed(FileType.SNAPSHOT)).isEqualTo(snapshots);
        assertThat(listed(FileType.INDEX)).isEqualTo(indexes);
        assertThat(listed(FileType.CONFIG)).isEqualTo(Map.of(Handle.CONFIG, 155L));
        assertThat(listed(FileType.LOCK)).isEmpty();
        assertThat(listed(FileType.PACK)).isEmpty();
    }

    @Test
    void list_finds_packs_whatever_their_first_two_hex_digits() throws IOException {
        Map<Handle, Long> packs = new ConcurrentHashMap<>();
        for (String prefix : List.of("00", "01", "7f", "a0", "fe", "ff", "ff")) {
            String name = prefix + HEX.formatHex(randomBytes(31));
            Handle handle = new Handle(FileType.PACK, name);
            int size = random.nextInt(3000);
            backend.save(handle, randomBytes(size));
            packs.put(handle, (long) size);
        }

        assertThat(listed(FileType.PACK)).isEqualTo(packs);
    }

    @Test
    void an_empty_backend_lists_nothing() throws IOException {
        for (FileType type : FileType.values()) {
            assertThat(listed(type)).as("%s", type).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(value = FileType.class, names = "LOCK", mode = EnumSource.Mode.EXCLUDE)
    void saving_a_name_that_exists_fails_and_keeps_the_first_object(FileType type) throws IOException {
        byte[] first = randomBytes(300);
        Handle handle = type == FileType.CONFIG ? Handle.CONFIG : randomHandle(type);
        backend.save(handle, first);

        assertThatThrownBy(() -> backend.save(handle, randomBytes(400)))
                .isInstanceOf(ObjectExistsException.class)
                .hasMessageContaining(handle.path());

        assertThat(backend.readAll(handle)).isEqualTo(first);
        assertThat(listed(type)).containsExactly(Map.entry(handle, 300L));
    }

    @Test
    void a_lock_may_be_overwritten_to_refresh_it() throws IOException {
        Handle handle = randomHandle(FileType.LOCK);
        backend.save(handle, randomBytes(100));
        byte[] refreshed = randomBytes(120);

        backend.save(handle, refreshed);

        assertThat(backend.readAll(handle)).isEqualTo(refreshed);
        assertThat(listed(FileType.LOCK)).containsExactly(Map.entry(handle, 120L));
    }

    @Test
    void a_removed_object_is_gone_everywhere() throws IOException {
        Handle removed = randomHandle(FileType.PACK);
        Handle kept = randomHandle(FileType.PACK);
        backend.save(removed, randomBytes(10));
        backend.save(kept, randomBytes(20));

        backend.remove(removed);

        assertThat(backend.exists(removed)).isFalse();
        assertThat(listed(FileType.PACK)).containsExactly(Map.entry(kept, 20L));
        assertThatThrownBy(() -> backend.open(removed, 0, 0)).isInstanceOf(NoSuchObjectException.class);
    }

    @Test
    void a_removed_object_can_be_saved_again() throws IOException {
        Handle handle = randomHandle(FileType.INDEX);
        backend.save(handle, randomBytes(10));
        backend.remove(handle);
        byte[] again = randomBytes(11);

        backend.save(handle, again);

        assertThat(backend.readAll(handle)).isEqualTo(again);
    }

    @Test
    void removing_a_missing_object_is_not_an_error() throws IOException {
        Handle handle = randomHandle(FileType.LOCK);

        backend.remove(handle);

        assertThat(backend.exists(handle)).isFalse();
    }

    @Test
    void a_missing_object_is_reported_as_missing_by_open_stat_and_exists() throws IOException {
        Handle handle = randomHandle(FileType.SNAPSHOT);

        assertThatThrownBy(() -> backend.open(handle, 0, 0))
                .isInstanceOfSatisfying(NoSuchObjectException.class, e -> assertThat(e.handle()).isEqualTo(handle));
        assertThatThrownBy(() -> backend.open(handle, 10, 10)).isInstanceOf(NoSuchObjectException.class);
        assertThatThrownBy(() -> backend.stat(handle))
                .isInstanceOfSatisfying(NoSuchObjectException.class, e -> assertThat(e.handle()).isEqualTo(handle));
        assertThatThrownBy(() -> backend.readAll(Handle.CONFIG)).isInstanceOf(NoSuchObjectException.class);
        assertThat(backend.exists(handle)).isFalse();
    }

    @Test
    void a_stream_shorter_than_its_length_fails_and_leaves_nothing() {
        Handle handle = randomHandle(FileType.PACK);

        assertThatThrownBy(() -> backend.save(handle, new ByteArrayInputStream(randomBytes(1000)), 1001))
                .isInstanceOf(IOException.class);

        assertNothingStored(handle);
    }

    @Test
    void a_stream_longer_than_its_length_fails_and_leaves_nothing() {
        Handle handle = randomHandle(FileType.PACK);

        assertThatThrownBy(() -> backend.save(handle, new ByteArrayInputStream(randomBytes(1000)), 999))
                .isInstanceOf(IOException.class);

        assertNothingStored(handle);
    }

    @Test
    void a_stream_that_fails_half_way_fails_the_save_and_leaves_nothing() {
        Handle handle = randomHandle(FileType.PACK);
        IOException failure = new IOException("connection reset by peer");
        InputStream failing = new FailingStream(new RandomStream(3 << 20, 3), 2 << 20, failure);

        assertThatThrownBy(() -> backend.save(handle, failing, 3 << 20)).isSameAs(failure);

        assertNothingStored(handle);
    }

    @Test
    void eight_threads_can_save_different_objects_at_once() throws Exception {
        int threads = 8;
        int perThread = 12;
        Map<Handle, byte[]> saved = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                futures.add(pool.submit((Callable<Void>) () -> {
                    Random own = new Random(seed);
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        byte[] content = new byte[own.nextInt(200_000)];
                        own.nextBytes(content);
                        Handle handle = handleFor(i % 2 == 0 ? FileType.PACK : FileType.INDEX, content);
                        backend.save(handle, content);
                        saved.put(handle, content);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(saved).hasSize(threads * perThread);
        Map<Handle, Long> listed = listed(FileType.PACK);
        listed.putAll(listed(FileType.INDEX));
        assertThat(listed).hasSize(threads * perThread);
        for (Map.Entry<Handle, byte[]> entry : saved.entrySet()) {
            assertThat(listed.get(entry.getKey())).isEqualTo(entry.getValue().length);
            assertThat(backend.readAll(entry.getKey())).isEqualTo(entry.getValue());
        }
    }

    /** A handle of the type whose name is the SHA-256 of the content, as the format names objects. */
    protected static Handle handleFor(FileType type, byte[] content) {
        try {
            return new Handle(type, HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    protected Handle randomHandle(FileType type) {
        return new Handle(type, HEX.formatHex(randomBytes(32)));
    }

    protected byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Everything {@link Backend#list} reports for the type, failing on a name reported twice. */
    protected Map<Handle, Long> listed(FileType type) throws IOException {
        Map<Handle, Long> listed = new ConcurrentHashMap<>();
        backend.list(type, info -> {
            assertThat(info.handle().type()).isEqualTo(type);
            assertThat(listed.put(info.handle(), info.size())).as("listed twice: %s", info.handle()).isNull();
        });
        return listed;
    }

    protected void assertNothingStored(Handle handle) {
        try {
            assertThat(backend.exists(handle)).isFalse();
            assertThat(listed(handle.type())).isEmpty();
        } catch (IOException e) {
            throw new AssertionError("the backend failed while checking that nothing was stored", e);
        }
    }

    private Map<Handle, Long> saveRandom(FileType type, int count) throws IOException {
        Map<Handle, Long> saved = new ConcurrentHashMap<>();
        for (int i = 0; i < count; i++) {
            byte[] content = randomBytes(random.nextInt(2000));
            Handle handle = handleFor(type, content);
            backend.save(handle, content);
            saved.put(handle, (long) content.length);
        }
        return saved;
    }

    private byte[] read(Handle handle, long offset, long length) throws IOException {
        try (InputStream in = backend.open(handle, offset, length)) {
            return in.readAllBytes();
        }
    }

    /** A backend may refuse the range when opening or when reading; either way it must fail. */
    private Throwable readFailure(Handle handle, long offset, long length) {
        Throwable failure = catchThrowable(() -> read(handle, offset, length));
        assertThat(failure).as("reading %d bytes from %d", length, offset).isInstanceOf(IOException.class);
        return failure;
    }

    /** Deterministic pseudo-random bytes without holding them in memory. */
    protected static final class RandomStream extends InputStream {
        private final Random random;
        private long remaining;

        public RandomStream(long length, long seed) {
            this.random = new Random(seed);
            this.remaining = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (remaining == 0) {
                return -1;
            }
            int count = (int) Math.min(length, remaining);
            byte[] chunk = new byte[count];
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, buffer, offset, count);
            remaining -= count;
            return count;
        }
    }

    /** Passes {@code limit} bytes through, then throws the given failure. */
    protected static final class FailingStream extends FilterInputStream {
        private final IOException failure;
        private long remaining;

        public FailingStream(InputStream in, long limit, IOException failure) {
            super(in);
            this.remaining = limit;
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining == 0) {
                throw failure;
            }
            int read = super.read(buffer, offset, (int) Math.min(length, remaining));
            if (read > 0) {
                remaining -= read;
            }
            return read;
        }
    }
}
