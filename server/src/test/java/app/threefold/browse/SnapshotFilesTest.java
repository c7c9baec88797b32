package app.threefold.browse;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.LocalBackend;
import app.threefold.browse.SnapshotFiles.Change;
import app.threefold.browse.SnapshotFiles.Change.Kind;
import app.threefold.chunker.ChunkerParams;
import app.threefold.crypto.KeyFile;
import app.threefold.index.MemoryIndex;
import app.threefold.ingest.Backups;
import app.threefold.ingest.ContentDigests;
import app.threefold.format.Id;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.TestTrees;
import app.threefold.restore.Restorer;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the panel and restores read from snapshots, through the one service that reads them. */
class SnapshotFilesTest {
    @TempDir
    Path tmp;
    private ExecutorService workers;
    private Repository repo;
    private Backups backups;
    private SnapshotFiles files;

    @BeforeEach
    void repository() throws Exception {
        workers = Executors.newFixedThreadPool(2);
        repo = Repository.create(LocalBackend.create(tmp.resolve("repo")), "password".toCharArray(),
                new KeyFile.Params(1024, 8, 1), new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
        backups = new Backups(repo, workers, ContentDigests.NONE, Clock.systemUTC(), ChunkerParams.DEFAULT);
        files = new SnapshotFiles(repo);
    }

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    private SnapshotRoot backup(Path folder) throws Exception {
        return new SnapshotRoot(backups.backupFolder("pc", folder).snapshot().tree());
    }

    @Test
    void aNameThatIsNotUtf8IsFoundByItsExactBytesOnlyAndShownWithItsByteEscaped() throws Exception {
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xE9, '.', 't', 'x', 't'};
        SnapshotRoot root;
        try (BlobSaver saver = new BlobSaver(repo, workers)) {
            List<Id> first = saver.saveData(List.of("latin-1 name".getBytes(StandardCharsets.UTF_8))).get();
            List<Id> second = saver.saveData(List.of("utf-8 name".getBytes(StandardCharsets.UTF_8))).get();
            Id docs = saver.saveTree(TreeCodec.encode(List.of(
                    Node.file(SnapshotNames.fromBytes(latin1), 0644, Instant.EPOCH, 12, first),
                    Node.file("café.txt", 0644, Instant.EPOCH, 10, second))));
            root = new SnapshotRoot(saver.saveTree(TreeCodec.encode(List.of(Node.dir("docs", 0755, Instant.EPOCH, docs)))));
            saver.flush();
        }

        SnapshotPath exact = new SnapshotPath(List.of("docs", SnapshotNames.fromBytes(latin1)));
        Entry found = files.find(root, exact).orElseThrow();
        assertThat(found.file()).isTrue();
        assertThat(found.nameBytes()).isEqualTo(latin1);
        assertThat(found.shown()).isEqualTo("caf\\xe9.txt");
        try (InputStream in = files.open(root, exact).stream(0, -1)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("latin-1 name");
        }
        // What a browser makes of the byte (U+FFFD) names nothing: two names never become one.
        assertThat(files.find(root, SnapshotPath.parse("/docs/caf\uFFFD.txt"))).isEmpty();
        try (InputStream in = files.open(root, SnapshotPath.parse("/docs/café.txt")).stream(0, -1)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("utf-8 name");
        }
    }

    @Test
    void aFolderIsListedAPageAtATimeFoldersFirstThenNamesAsPeopleSortThem() throws Exception {
        Path src = tmp.resolve("src");
        for (String name : List.of("IMG_10.jpg", "IMG_2.jpg", "Zoo.txt", "apple.txt")) {
            TestTrees.write(src.resolve("photos").resolve(name), name.getBytes(StandardCharsets.UTF_8));
        }
        Files.createDirectories(src.resolve("photos/b"));
        SnapshotRoot root = backup(src);

        SnapshotFiles.FolderPage first = files.list(root, SnapshotPath.parse("photos"), 0, 3);
        SnapshotFiles.FolderPage second = files.list(root, SnapshotPath.parse("/photos/"), 3, 3);

        assertThat(first.total()).isEqualTo(5);
        assertThat(first.entries()).extracting(Entry::name).containsExactly("b", "apple.txt", "IMG_2.jpg");
        assertThat(first.entries()).extracting(Entry::path).containsExactly("/photos/b", "/photos/apple.txt", "/photos/IMG_2.jpg");
        assertThat(second.entries()).extracting(Entry::name).containsExactly("IMG_10.jpg", "Zoo.txt");
        assertThat(files.find(root, SnapshotPath.ROOT).orElseThrow().folder()).isTrue();
        assertThat(files.list(root, SnapshotPath.ROOT, 0, 10).entries()).extracting(Entry::name).containsExactly("photos");
    }

    @Test
    void compareAndSearchTellWhatChangedBetweenTwoBackupsAndWhereAFileIs() throws Exception {
        Path src = tmp.resolve("src");
        TestTrees.write(src.resolve("a/kept.txt"), "same".getBytes(StandardCharsets.UTF_8));
        TestTrees.write(src.resolve("a/edited.txt"), "before".getBytes(StandardCharsets.UTF_8));
        TestTrees.write(src.resolve("gone.txt"), "bye".getBytes(StandardCharsets.UTF_8));
        SnapshotRoot before = backup(src);
        TestTrees.write(src.resolve("a/edited.txt"), "after, longer".getBytes(StandardCharsets.UTF_8));
        Files.delete(src.resolve("gone.txt"));
        TestTrees.write(src.resolve("new.txt"), "hi".getBytes(StandardCharsets.UTF_8));
        SnapshotRoot after = backup(src);

        SnapshotFiles.Comparison diff = files.compare(before, after, 10);
        assertThat(diff.truncated()).isFalse();
        assertThat(diff.changes()).containsExactly(new Change(Kind.CHANGED, "/a/edited.txt", 6, 13),
                new Change(Kind.REMOVED, "/gone.txt", 3, 0), new Change(Kind.ADDED, "/new.txt", 0, 2));
        assertThat(files.compare(before, after, 2).truncated()).isTrue();

        // Newest first, as the catalog lists snapshots; the caller's own snapshot values come back.
        List<String> newestFirst = List.of("after", "before");
        Map<String, SnapshotRoot> roots = Map.of("after", after, "before", before);
        SnapshotFiles.Search<String> hits = files.search(newestFirst, roots::get, "  TXT ", 100);
        List<String> found = new ArrayList<>();
        hits.hits().forEach(h -> found.add(h.path() + " " + h.newest() + " " + h.snapshots()));
        assertThat(found).containsExactlyInAnyOrder("/a/edited.txt after 1", "/a/kept.txt after 2", "/new.txt after 1",
                "/a/edited.txt before 1", "/gone.txt before 1");
        assertThat(files.search(newestFirst, roots::get, "txt", 2).truncated()).isTrue();
        assertThat(files.history(newestFirst, roots::get, SnapshotPath.parse("/a/edited.txt")))
                .extracting(SnapshotFiles.Found::size).containsExactly(13L, 6L);
    }

    @Test
    void aRestoreResolvesItsPathThroughTheSameTreesAsTheBrowser() throws Exception {
        Path src = tmp.resolve("src");
        TestTrees.write(src.resolve("a/b/c.txt"), "deep".getBytes(StandardCharsets.UTF_8));
        SnapshotRoot root = backup(src);
        List<String> loaded = new ArrayList<>();
        Restorer restorer = new Restorer(repo, tree -> {
            loaded.add(tree.hex());
            return files.trees().load(tree);
        }, workers);

        restorer.restore(root.tree(), "/a/b", tmp.resolve("out"));

        assertThat(tmp.resolve("out/c.txt")).hasContent("deep");
        assertThat(loaded).hasSize(2);
    }

    @Test
    void aWalkVisitsAFolderBeforeWhatItHoldsWithTheStateItsFolderReturned() throws Exception {
        Path src = tmp.resolve("src");
        TestTrees.write(src.resolve("x/y/z.txt"), "z".getBytes(StandardCharsets.UTF_8));
        TestTrees.write(src.resolve("x/w.txt"), "w".getBytes(StandardCharsets.UTF_8));
        SnapshotRoot root = backup(src);
        List<String> seen = new ArrayList<>();

        files.walk(root, List.of(SnapshotPath.parse("x")), "", (prefix, e, content) -> {
            String at = prefix + e.name() + (e.folder() ? "/" : "");
            seen.add(at + (content == null ? "" : " " + content.size()));
            return e.folder() ? at : prefix;
        });

        assertThat(seen).containsExactly("x/", "x/w.txt 1", "x/y/", "x/y/z.txt 1");
    }
}
