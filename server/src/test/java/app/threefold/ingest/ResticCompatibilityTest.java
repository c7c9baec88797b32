package app.threefold.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.backend.LocalBackend;
import app.threefold.check.Checker;
import app.threefold.chunker.ChunkerParams;
import app.threefold.crypto.KeyFile;
import app.threefold.crypto.WrongPasswordException;
import app.threefold.index.MemoryIndex;
import app.threefold.repository.Repository;
import app.threefold.format.BlobType;
import app.threefold.repository.ByteTrees;
import app.threefold.repository.RepositoryException;
import app.threefold.repository.ResticCli;
import app.threefold.tree.NameCharset;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import static java.nio.charset.StandardCharsets.UTF_8;
import app.threefold.repository.TestTrees;
import app.threefold.restore.Restorer;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** restic 0.14 judges what Threefold writes, and Threefold reads what restic writes. */
class ResticCompatibilityTest {
    static final String PASSWORD = "correct horse battery staple";
    static final KeyFile.Params FAST_KDF = new KeyFile.Params(1024, 8, 1);

    @TempDir
    Path tmp;
    final ExecutorService workers = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    private Repository create(Path dir) throws IOException {
        return Repository.create(LocalBackend.create(dir), PASSWORD.toCharArray(), FAST_KDF, new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
    }

    private Repository open(Path dir, String password) throws IOException {
        Repository repo = Repository.open(LocalBackend.open(dir), password.toCharArray(), new MemoryIndex(), new SecureRandom());
        repo.syncIndex();
        return repo;
    }

    private Backups backups(Repository repo) {
        return new Backups(repo, workers, ContentDigests.NONE, Clock.systemUTC(), ChunkerParams.DEFAULT);
    }

    @Test
    void aTreeBackedUpByThreefoldPassesResticCheckAndRestoresByteIdentical() throws Exception {
        Path source = TestTrees.awkward(tmp.resolve("source"), 1);
        Path repoDir = tmp.resolve("repo");
        IngestSession.Result result = backups(create(repoDir)).backupFolder("laptop", source);

        assertThat(result.stats().filesNew()).isEqualTo(8);
        assertThat(result.problems()).isEmpty();
        ResticCli restic = new ResticCli(repoDir, PASSWORD);
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
        assertThat(restic.ok("snapshots")).contains("laptop").contains(result.snapshot().id().shortHex());

        Path restored = tmp.resolve("restored");
        restic.ok("restore", "latest", "--target", restored.toString());
        TestTrees.assertSameTree(source, restored);
    }

    @Test
    void aRepositoryWrittenByResticIsListedAndRestoredByThreefold() throws Exception {
        Path source = TestTrees.awkward(tmp.resolve("source"), 2);
        Path repoDir = tmp.resolve("repo");
        ResticCli restic = new ResticCli(repoDir, PASSWORD);
        restic.ok("init", "--repository-version", "2");
        restic.ok("backup", "--host", "desktop", source.toString());

        Repository repo = open(repoDir, PASSWORD);
        List<Snapshot> snapshots = new Snapshots(repo).list(null);
        assertThat(snapshots).singleElement().satisfies(s -> assertThat(s.hostname()).isEqualTo("desktop"));

        Path restored = tmp.resolve("restored");
        new Restorer(repo, workers).restore(snapshots.get(0).tree(), source.toString(), restored);
        TestTrees.assertSameTree(source, restored);
    }

    @Test
    void namesResticQuotesAreReadByteExactAndRestoredByThreefold() throws Exception {
        byte[][] utf8 = {"quote\"d".getBytes(UTF_8), "back\\slash".getBytes(UTF_8), "new\nline".getBytes(UTF_8),
                "tab\tbell\u0007".getBytes(UTF_8), "é e\u0301 \u200f 😀 <&>".getBytes(UTF_8)};
        byte[][] raw = {{'c', 'o', 'l', (byte) 0xFF}, {'c', 'o', 'l', (byte) 0xFE}};
        Map<List<byte[]>, byte[]> entries = new LinkedHashMap<>();
        for (byte[] name : utf8) {
            entries.put(List.of("ok \" dir".getBytes(UTF_8), name), name);
        }
        for (byte[] name : raw) {
            entries.put(List.of("raw".getBytes(UTF_8), name), name);
        }
        Path source = tmp.resolve("source");
        ByteTrees.write(source, entries);
        Path repoDir = tmp.resolve("repo");
        ResticCli restic = new ResticCli(repoDir, PASSWORD);
        restic.ok("init", "--repository-version", "2");
        restic.ok("backup", "--host", "desktop", source.toString());

        Repository repo = open(repoDir, PASSWORD);
        Snapshot snapshot = new Snapshots(repo).list(null).get(0);
        Restorer restorer = new Restorer(repo, workers);
        for (String dir : List.of("ok \" dir", "raw")) {
            Node node = restorer.resolve(snapshot.tree(), source + "/" + dir);
            List<byte[]> read = TreeCodec.decode(repo.loadBlob(BlobType.TREE, node.subtree())).stream()
                    .map(n -> NameCharset.toBytes(n.name())).toList();
            byte[][] expected = dir.equals("raw") ? raw : utf8;
            assertThat(read).hasSize(expected.length);
            for (byte[] name : expected) {
                assertThat(read).anySatisfy(r -> assertThat(r).isEqualTo(name));
            }
        }

        // Names that are UTF-8 restore byte-exact from Threefold; the others are refused by name.
        Path restored = tmp.resolve("restored");
        restorer.restore(snapshot.tree(), source + "/ok \" dir", restored.resolve("ok"));
        Map<List<byte[]>, byte[]> expectedOk = new LinkedHashMap<>();
        for (byte[] name : utf8) {
            expectedOk.put(List.of(name), name);
        }
        assertThat(ByteTrees.read(restored.resolve("ok"))).isEqualTo(ByteTrees.manifest(expectedOk));
        // One file alone lands in the target folder under its own name.
        restorer.restore(snapshot.tree(), source + "/ok \" dir/new\nline", restored.resolve("one"));
        assertThat(Files.readAllBytes(restored.resolve("one").resolve("new\nline"))).isEqualTo("new\nline".getBytes(UTF_8));
        assertThatThrownBy(() -> restorer.restore(snapshot.tree(), source + "/raw", restored.resolve("raw")))
                .isInstanceOf(RepositoryException.class).hasMessageContaining("raw/col\\x").hasMessageContaining("restic");
    }

    @Test
    void aFolderBackupSkipsNamesJavaCannotReadByNameAndKeepsARealReplacementCharacter() throws Exception {
        Map<List<byte[]>, byte[]> entries = new LinkedHashMap<>();
        entries.put(List.of(new byte[] {'c', 'o', 'l', (byte) 0xFF}), "ff".getBytes(UTF_8));
        entries.put(List.of(new byte[] {'c', 'o', 'l', (byte) 0xFE}), "fe".getBytes(UTF_8));
        entries.put(List.of("col\uFFFD".getBytes(UTF_8)), "real replacement character".getBytes(UTF_8));
        entries.put(List.of("plain.txt".getBytes(UTF_8)), "plain".getBytes(UTF_8));
        Path source = tmp.resolve("source");
        ByteTrees.write(source, entries);

        IngestSession.Result result = backups(create(tmp.resolve("repo"))).backupFolder("nas", source);

        assertThat(result.problems()).hasSize(2).allSatisfy(p -> assertThat(p).contains("not UTF-8"));
        Path restored = tmp.resolve("restored");
        new ResticCli(tmp.resolve("repo"), PASSWORD).ok("restore", "latest", "--target", restored.toString());
        Map<String, String> got = ByteTrees.read(restored);
        Map<List<byte[]>, byte[]> expected = new LinkedHashMap<>();
        expected.put(List.of("col\uFFFD".getBytes(UTF_8)), "real replacement character".getBytes(UTF_8));
        expected.put(List.of("plain.txt".getBytes(UTF_8)), "plain".getBytes(UTF_8));
        assertThat(got).isEqualTo(ByteTrees.manifest(expected));
    }

    @Test
    void aSecondBackupReadsOnlyChangedFilesAndStoresOnlyNewData() throws Exception {
        Path source = TestTrees.awkward(tmp.resolve("source"), 3);
        Path repoDir = tmp.resolve("repo");
        Repository repo = create(repoDir);
        IngestSession.Result first = backups(repo).backupFolder("laptop", source);
        TestTrees.write(source.resolve("docs/new.txt"), "new file\n".getBytes());
        Files.delete(source.resolve("empty"));

        IngestSession.Result second = backups(repo).backupFolder("laptop", source);

        assertThat(second.snapshot().parent()).isEqualTo(first.snapshot().id());
        assertThat(second.stats().filesNew()).isEqualTo(1);
        assertThat(second.stats().filesUnchanged()).isEqualTo(7);
        assertThat(second.stats().filesRemoved()).isEqualTo(1);
        assertThat(second.stats().bytesRead()).isEqualTo(9);
        assertThat(second.stats().bytesAdded()).isLessThan(4096);
        Path restored = tmp.resolve("restored");
        new ResticCli(repoDir, PASSWORD).ok("restore", second.snapshot().id().hex(), "--target", restored.toString());
        TestTrees.assertSameTree(source, restored);
    }

    @Test
    void aFlippedByteInAPackFailsReadDataCheckAndNamesTheDamagedFile() throws Exception {
        Path source = tmp.resolve("source");
        TestTrees.write(source.resolve("photos/cat.jpg"), TestTrees.bytes(new java.util.Random(4), 3 << 20));
        TestTrees.write(source.resolve("notes.txt"), "keep me".getBytes());
        Path repoDir = tmp.resolve("repo");
        backups(create(repoDir)).backupFolder("laptop", source);

        TestTrees.flipByteInLargestPack(repoDir, 1000);

        Repository repo = open(repoDir, PASSWORD);
        assertThat(new Checker(repo, workers).check(false).healthy()).isTrue();
        Checker.Report report = new Checker(repo, workers).check(true);
        assertThat(report.healthy()).isFalse();
        assertThat(report.affected()).extracting(Checker.Affected::path).containsExactly("/photos/cat.jpg");
        assertThat(new ResticCli(repoDir, PASSWORD).run("check", "--read-data").exitCode()).isNotZero();
    }

    @Test
    void lostIndexFilesAreRebuiltFromPackHeaders() throws Exception {
        Path source = TestTrees.awkward(tmp.resolve("source"), 8);
        Path repoDir = tmp.resolve("repo");
        backups(create(repoDir)).backupFolder("laptop", source);
        try (Stream<Path> index = Files.list(repoDir.resolve("index"))) {
            for (Path p : index.toList()) {
                Files.delete(p);
            }
        }
        assertThat(new ResticCli(repoDir, PASSWORD).run("check").exitCode()).isNotZero();

        Repository repo = open(repoDir, PASSWORD);
        assertThat(repo.indexUnindexedPacks(true)).isGreaterThanOrEqualTo(2);

        ResticCli restic = new ResticCli(repoDir, PASSWORD);
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
        Path restored = tmp.resolve("restored");
        restic.ok("restore", "latest", "--target", restored.toString());
        TestTrees.assertSameTree(source, restored);
    }

    @Test
    void aWrongPasswordIsOneClearErrorAndWritesNothing() throws Exception {
        Path repoDir = tmp.resolve("repo");
        create(repoDir);
        long before = countFiles(repoDir);
        assertThatThrownBy(() -> open(repoDir, "wrong"))
                .isInstanceOf(WrongPasswordException.class)
                .hasMessageContaining("password");
        assertThat(countFiles(repoDir)).isEqualTo(before);
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
