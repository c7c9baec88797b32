package app.threefold.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBackendTest extends BackendContractTest {

    @TempDir
    Path folder;

    private Path repository;

    @Override
    protected Backend newBackend() throws IOException {
        repository = folder.resolve("repository");
        return LocalBackend.create(repository);
    }

    private LocalBackend local() {
        return (LocalBackend) backend;
    }

    @Test
    void create_lays_out_the_folders_restic_expects() {
        for (String name : List.of("keys", "locks", "snapshots", "index", "data")) {
            assertThat(repository.resolve(name)).isDirectory();
        }
        for (int prefix = 0; prefix < 256; prefix++) {
            assertThat(repository.resolve("data").resolve("%02x".formatted(prefix))).isDirectory();
        }
        assertThat(repository.resolve("config")).doesNotExist();
    }

    @Test
    void create_refuses_a_folder_that_already_holds_a_repository() throws IOException {
        backend.save(Handle.CONFIG, "{}".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> LocalBackend.create(repository))
                .isInstanceOf(RepositoryExistsException.class)
                .hasMessageContaining(repository.toString())
                .hasMessageContaining("already holds a repository");
    }

    @Test
    void open_refuses_a_folder_without_a_config() {
        assertThatThrownBy(() -> LocalBackend.open(repository))
                .isInstanceOf(NotARepositoryException.class)
                .hasMessageContaining(repository.toString())
                .hasMessageContaining("no config");
        assertThatThrownBy(() -> LocalBackend.open(folder.resolve("elsewhere")))
                .isInstanceOf(NotARepositoryException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void open_sees_what_an_earlier_backend_saved() throws IOException {
        byte[] config = "{\"version\":2}".getBytes(StandardCharsets.UTF_8);
        backend.save(Handle.CONFIG, config);
        Handle pack = randomHandle(FileType.PACK);
        backend.save(pack, randomBytes(77));

        try (LocalBackend reopened = LocalBackend.open(repository)) {
            assertThat(reopened.readAll(Handle.CONFIG)).isEqualTo(config);
            assertThat(reopened.stat(pack)).isEqualTo(77);
            assertThat(reopened.location()).isEqualTo(repository.toAbsolutePath().toString());
        }
    }

    @Test
    void a_pack_is_stored_under_data_and_its_first_two_hex_digits() throws IOException {
        Handle pack = randomHandle(FileType.PACK);
        Handle key = randomHandle(FileType.KEY);

        backend.save(pack, randomBytes(10));
        backend.save(key, randomBytes(10));

        assertThat(repository.resolve("data").resolve(pack.name().substring(0, 2)).resolve(pack.name()))
                .isRegularFile().hasSize(10);
        assertThat(repository.resolve("keys").resolve(key.name())).isRegularFile();
    }

    @Test
    void saved_objects_are_read_only_for_their_owner_like_restics() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Handle pack = randomHandle(FileType.PACK);
        Handle lock = randomHandle(FileType.LOCK);

        backend.save(pack, randomBytes(10));
        backend.save(Handle.CONFIG, randomBytes(10));
        backend.save(lock, randomBytes(10));
        backend.save(lock, randomBytes(10));

        for (Path file : List.of(pathOf(pack), pathOf(Handle.CONFIG), pathOf(lock))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .as("%s", file).isEqualTo("r--------");
        }
    }

    @Test
    void a_failed_save_leaves_no_temporary_file_behind() throws IOException {
        Handle shortPack = randomHandle(FileType.PACK);
        Handle fullDisk = randomHandle(FileType.INDEX);
        IOException noSpace = new IOException("No space left on device");

        assertThatThrownBy(() -> backend.save(shortPack, new ByteArrayInputStream(randomBytes(500)), 501))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ended after 500 of 501 bytes");
        assertThatThrownBy(() -> backend.save(fullDisk,
                new FailingStream(new RandomStream(1 << 20, 1), 300_000, noSpace), 1 << 20))
                .isSameAs(noSpace);

        assertThat(filesIn(repository)).isEmpty();
    }

    @Test
    void a_save_refused_because_the_object_exists_leaves_no_temporary_file_behind() throws IOException {
        Handle pack = randomHandle(FileType.PACK);
        backend.save(pack, randomBytes(10));

        assertThatThrownBy(() -> backend.save(pack, randomBytes(10))).isInstanceOf(ObjectExistsException.class);

        assertThat(filesIn(repository)).containsExactly(pathOf(pack));
    }

    @Test
    void of_eight_writers_racing_to_save_one_name_exactly_one_wins() throws Exception {
        Handle handle = randomHandle(FileType.PACK);
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            contents.add(randomBytes(256 << 10));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(contents.size());
        List<Future<byte[]>> attempts = new ArrayList<>();
        try {
            for (byte[] content : contents) {
                attempts.add(pool.submit(() -> {
                    start.await();
                    backend.save(handle, content);
                    return content;
                }));
            }
            start.countDown();
            List<byte[]> winners = new ArrayList<>();
            for (Future<byte[]> attempt : attempts) {
                try {
                    winners.add(attempt.get());
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ObjectExistsException.class);
                }
            }

            assertThat(winners).hasSize(1);
            assertThat(backend.readAll(handle)).isEqualTo(winners.get(0));
        } finally {
            pool.shutdownNow();
        }
        assertThat(filesIn(repository)).containsExactly(pathOf(handle));
    }

    @Test
    void temporary_files_left_by_a_crash_are_not_listed_and_are_cleaned_up() throws IOException {
        Handle pack = randomHandle(FileType.PACK);
        backend.save(pack, randomBytes(10));
        Handle index = randomHandle(FileType.INDEX);
        backend.save(index, randomBytes(10));
        List<Path> leftovers = List.of(
                pathOf(pack).resolveSibling(".tmp-" + pack.name()),
                repository.resolve("index").resolve(".tmp-0123456789abcdef"),
                repository.resolve(".tmp-fedcba9876543210"));
        for (Path leftover : leftovers) {
            Files.write(leftover, randomBytes(5));
        }

        assertThat(listed(FileType.PACK)).containsOnlyKeys(pack);
        assertThat(listed(FileType.INDEX)).containsOnlyKeys(index);
        assertThat(listed(FileType.CONFIG)).isEmpty();

        assertThat(local().cleanTemporaryFiles()).isEqualTo(3);

        assertThat(filesIn(repository)).containsExactlyInAnyOrder(pathOf(pack), pathOf(index));
        assertThat(local().cleanTemporaryFiles()).isZero();
    }

    @Test
    void files_that_are_not_objects_are_not_listed() throws IOException {
        Files.writeString(repository.resolve("keys").resolve("README"), "not a key");
        Files.writeString(repository.resolve("data").resolve("ab").resolve("ab" + "0".repeat(62) + ".bak"), "x");
        Files.createDirectories(repository.resolve("data").resolve("not-a-prefix"));
        Files.writeString(repository.resolve("data").resolve("not-a-prefix").resolve("0".repeat(64)), "x");

        assertThat(listed(FileType.KEY)).isEmpty();
        assertThat(listed(FileType.PACK)).isEmpty();
    }

    @Test
    void a_data_folder_removed_by_hand_is_recreated_on_save() throws IOException {
        Handle pack = new Handle(FileType.PACK, "c3" + "1".repeat(62));
        Files.delete(repository.resolve("data").resolve("c3"));
        byte[] content = randomBytes(33);

        backend.save(pack, content);

        assertThat(backend.readAll(pack)).isEqualTo(content);
    }

    @Test
    void a_repository_restic_made_survives_a_copy_through_local_backends() throws Exception {
        Path restic = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "restic"))
                .filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeTrue(restic != null, "restic is not on the PATH");
        Path original = folder.resolve("original");
        Files.createDirectories(original);
        Path password = folder.resolve("password");
        Files.writeString(password, "correct horse battery staple");
        runRestic(restic, original, password, "init");

        Map<Handle, Long> copied;
        try (LocalBackend source = LocalBackend.open(original);
             LocalBackend target = LocalBackend.create(folder.resolve("copy"))) {
            copied = new java.util.HashMap<>();
            for (FileType type : FileType.values()) {
                List<Backend.ObjectInfo> objects = new ArrayList<>();
                source.list(type, objects::add);
                for (Backend.ObjectInfo object : objects) {
                    try (InputStream in = source.open(object.handle(), 0, 0)) {
                        target.save(object.handle(), in, object.size());
                    }
                    copied.put(object.handle(), object.size());
                }
            }
        }

        assertThat(copied.keySet()).extracting(Handle::type).contains(FileType.CONFIG, FileType.KEY);
        String check = runRestic(restic, folder.resolve("copy"), password, "check");
        assertThat(check).contains("no errors were found");
    }

    private String runRestic(Path restic, Path repo, Path password, String command) throws Exception {
        Process process = new ProcessBuilder(restic.toString(), "--no-cache", "--repo", repo.toString(),
                "--password-file", password.toString(), command)
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("restic %s finished", command).isTrue();
        assertThat(process.exitValue()).as("restic %s said:%n%s", command, output).isZero();
        return output;
    }

    private Path pathOf(Handle handle) {
        return repository.resolve(handle.path());
    }

    private static List<Path> filesIn(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
