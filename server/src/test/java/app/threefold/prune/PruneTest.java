package app.threefold.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.ThreefoldException;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.engine.Engine;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.index.IndexFile;
import app.threefold.ingest.IngestSession;
import app.threefold.pack.PackEntry;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.repository.RepositoryLock;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import app.threefold.snapshot.Snapshot;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prune on a real catalog, judged by restic: random backups of two devices sharing data, forgets
 * (snapshot files removed, as forget does), prunes; every kept snapshot restores byte for byte,
 * restic's check --read-data passes, and nothing a completed prune could drop survives it.
 */
@ExtendWith(TestDatabase.class)
class PruneTest {
    static final String RECOVERY = "recovery password 123";

    @TempDir
    Path tmp;

    /** A device's folder, changed a little before each backup; files of the shared pool appear on both devices. */
    static final class Device {
        final String name;
        final Path src;
        final Random random;

        Device(String name, Path src, Random random) {
            this.name = name;
            this.src = src;
            this.random = random;
        }

        void change(List<byte[]> shared, int round) throws IOException {
            Files.createDirectories(src);
            List<Path> files;
            try (Stream<Path> s = Files.walk(src)) {
                files = new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
            }
            int edits = 1 + random.nextInt(3);
            for (int i = 0; i < edits; i++) {
                switch (random.nextInt(4)) {
                    case 0 -> write(src.resolve("new-" + round + "-" + i + ".bin"), TestTrees.bytes(random, 20_000 + random.nextInt(300_000)), round);
                    case 1 -> {
                        if (!files.isEmpty()) {
                            Files.delete(files.remove(random.nextInt(files.size())));
                        }
                    }
                    case 2 -> {
                        if (!files.isEmpty()) {
                            Path f = files.get(random.nextInt(files.size()));
                            byte[] b = Files.readAllBytes(f);
                            if (b.length > 0) {
                                int at = random.nextInt(b.length);
                                byte[] patch = TestTrees.bytes(random, Math.min(b.length - at, 5_000));
                                System.arraycopy(patch, 0, b, at, patch.length);
                            }
                            write(f, b, round);
                        }
                    }
                    default -> {
                        int k = random.nextInt(shared.size());
                        write(src.resolve("sub/shared-" + k + ".bin"), shared.get(k), round);
                    }
                }
            }
        }
    }

    /** A change must show in size or mtime, or the backup rightly takes the file for unchanged. */
    static void write(Path file, byte[] data, int round) throws IOException {
        TestTrees.write(file, data);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L + round * 1000L));
    }

    @Test
    void randomBackupsForgetsAndPrunesKeepEverySnapshotRestorableAndLeaveNothingUnused(Catalog catalog) throws Exception {
        long seed = Long.getLong("prune.seed", System.nanoTime());
        Random random = new Random(seed);
        org.slf4j.LoggerFactory.getLogger(PruneTest.class).info("seed {} (run again with -Dprune.seed={})", seed, seed);
        Path data = tmp.resolve("data");
        List<byte[]> shared = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            shared.add(TestTrees.bytes(random, 40_000 + random.nextInt(400_000)));
        }
        List<Device> devices = List.of(new Device("laptop", tmp.resolve("laptop"), random), new Device("desktop", tmp.resolve("desktop"), random));
        Map<Id, Path> expected = new HashMap<>();
        int prunes = 0;
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            Repository repo = engine.repository();
            for (int round = 0; round < 24; round++) {
                int op = random.nextInt(10);
                if (op < 6 || expected.size() < 2) {
                    Device d = devices.get(random.nextInt(devices.size()));
                    d.change(shared, round);
                    IngestSession.Result r = engine.backupFolder(d.name, d.src);
                    Path copy = tmp.resolve("expected").resolve(r.snapshot().id().hex());
                    copyTree(d.src, copy);
                    expected.put(r.snapshot().id(), copy);
                } else if (op < 9) {
                    List<Id> ids = new ArrayList<>(expected.keySet());
                    ids.sort(null);
                    int forget = 1 + random.nextInt(Math.min(3, ids.size() - 1));
                    for (int i = 0; i < forget; i++) {
                        Id gone = ids.remove(random.nextInt(ids.size()));
                        repo.backend().remove(new Handle(FileType.SNAPSHOT, gone.hex()));
                        expected.remove(gone);
                    }
                } else {
                    double threshold = random.nextBoolean() ? Prune.DEFAULT_REPACK_THRESHOLD : random.nextDouble() * 0.6;
                    PruneResult result = prune(engine, threshold);
                    prunes++;
                    assertCompletedPrune(engine, threshold);
                    assertThat(result.snapshots()).as("seed %d", seed).isEqualTo(expected.size());
                }
            }
            PruneResult last = prune(engine, 0);
            assertCompletedPrune(engine, 0);
            assertThat(last.dryRun()).isFalse();
            assertNothingUnused(repo);
            // The catalog follows: a backup after the prune dedups only against blobs that exist.
            Device d = devices.get(0);
            d.change(shared, 99);
            IngestSession.Result after = engine.backupFolder(d.name, d.src);
            copyTree(d.src, tmp.resolve("expected").resolve(after.snapshot().id().hex()));
            expected.put(after.snapshot().id(), tmp.resolve("expected").resolve(after.snapshot().id().hex()));
        }
        ResticCli restic = new ResticCli(Engine.repositoryDir(data), RECOVERY);
        String check = restic.ok("check", "--read-data");
        assertThat(check).as("seed %d, %d prunes", seed, prunes).contains("no errors were found");
        for (Map.Entry<Id, Path> e : expected.entrySet()) {
            Path target = tmp.resolve("restored").resolve(e.getKey().hex());
            restic.ok("restore", e.getKey().hex(), "--target", target.toString());
            // A device whose random edits deleted every file has an empty snapshot, which restic
            // restores as nothing at all, not even the target folder: that is an empty folder.
            Files.createDirectories(target);
            TestTrees.assertSameTree(e.getValue(), target);
        }
    }

    @Test
    void aDryRunReportsWhatWouldGoAndChangesNothing(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        Random random = new Random(7);
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            Path src = tmp.resolve("src");
            TestTrees.write(src.resolve("a.bin"), TestTrees.bytes(random, 300_000));
            Snapshot first = engine.backupFolder("laptop", src).snapshot();
            TestTrees.write(src.resolve("b.bin"), TestTrees.bytes(random, 300_000));
            engine.backupFolder("laptop", src);
            Files.delete(src.resolve("a.bin"));
            engine.backupFolder("laptop", src);
            engine.repository().backend().remove(new Handle(FileType.SNAPSHOT, first.id().hex()));
            engine.repository().backend().remove(new Handle(FileType.SNAPSHOT,
                    engine.snapshots().list("laptop").get(0).id().hex()));
            Map<String, String> before = listing(Engine.repositoryDir(data));
            List<String> catalogBefore = catalogRows(catalog);

            PruneResult dry = new Prune(engine.repository(), engine.catalogIndex(), engine.workers(), Clock.systemUTC())
                    .run(Prune.Options.DEFAULT.withDryRun(true), Prune.Progress.NONE);

            assertThat(dry.dryRun()).isTrue();
            assertThat(dry.packsRemoved() + dry.packsRepacked()).isPositive();
            assertThat(dry.bytesReclaimed()).isGreaterThan(250_000);
            assertThat(listing(Engine.repositoryDir(data))).isEqualTo(before);
            assertThat(catalogRows(catalog)).isEqualTo(catalogBefore);

            PruneResult real = prune(engine, Prune.DEFAULT_REPACK_THRESHOLD);
            assertThat(real.packsRemoved()).isEqualTo(dry.packsRemoved());
            assertThat(real.packsRepacked()).isEqualTo(dry.packsRepacked());
            assertThat(real.bytesAfter()).isLessThan(before.values().stream().mapToLong(v -> Long.parseLong(v.split(" ")[0])).sum() - 250_000);
        }
    }

    @Test
    void aPruneWaitsForABackupThatHoldsTheRepositoryAndABackupStartedMeanwhileWaitsForThePrune(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            Path src = tmp.resolve("src");
            TestTrees.write(src.resolve("a.bin"), TestTrees.bytes(new Random(1), 100_000));
            engine.backupFolder("laptop", src);
            Prune prune = new Prune(engine.repository(), engine.catalogIndex(), engine.workers(), Clock.systemUTC());

            // A session in this process holds the repository: the prune waits, says so, and gives up with advice.
            RepositoryLock session = RepositoryLock.acquire(engine.repository(), false, Clock.systemUTC());
            List<String> lines = new ArrayList<>();
            assertThatThrownBy(() -> prune.run(new Prune.Options(false, 0.25, Duration.ofMillis(300)), (f, l) -> lines.add(l)))
                    .isInstanceOf(RepositoryException.class)
                    .hasMessageContaining("1 backup(s) or SFTP session(s) still write to the repository")
                    .hasMessageContaining("try again once they have ended")
                    .satisfies(e -> assertThat(((ThreefoldException) e).kind()).isEqualTo(ThreefoldException.Kind.CONFLICT));
            assertThat(lines).contains("waiting for 1 backup(s) or SFTP session(s) to end before pruning");

            // With patience, it runs as soon as the session ends.
            CompletableFuture<PruneResult> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return prune.run(new Prune.Options(false, 0.25, Duration.ofSeconds(30)), Prune.Progress.NONE);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(300);
            assertThat(waiting).isNotDone();
            session.close();
            waiting.get(30, TimeUnit.SECONDS);

            // While a prune holds the repository, a backup waits for it instead of failing.
            RepositoryLock pruning = RepositoryLock.acquireExclusive(engine.repository(), Clock.systemUTC(), Duration.ZERO, n -> { });
            CompletableFuture<IngestSession.Result> backup = CompletableFuture.supplyAsync(() -> {
                try {
                    return engine.backupFolder("laptop", src);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(500);
            assertThat(backup).isNotDone();
            pruning.close();
            assertThat(backup.get(30, TimeUnit.SECONDS).snapshot()).isNotNull();
        }
    }

    @Test
    void aPruneRefusesAndChangesNothingWhenASnapshotNeedsDataThatIsGone(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            Path src = tmp.resolve("src");
            TestTrees.write(src.resolve("a.bin"), TestTrees.bytes(new Random(2), 100_000));
            engine.backupFolder("laptop", src);
            TestTrees.write(src.resolve("b.bin"), TestTrees.bytes(new Random(3), 100_000));
            engine.backupFolder("laptop", src);
            // Lose the first data pack.
            Path dataDir = Engine.repositoryDir(data).resolve("data");
            Path victim;
            try (Stream<Path> s = Files.walk(dataDir)) {
                victim = s.filter(Files::isRegularFile).sorted((a, b) -> Long.compare(b.toFile().length(), a.toFile().length())).findFirst().orElseThrow();
            }
            Files.delete(victim);
            Map<String, String> before = listing(Engine.repositoryDir(data));
            assertThatThrownBy(() -> prune(engine, 0.25))
                    .isInstanceOf(DamagedRepositoryException.class)
                    .hasMessageContaining("nothing was pruned")
                    .hasMessageContaining("threefold check");
            assertThat(listing(Engine.repositoryDir(data))).isEqualTo(before);
        }
    }

    @Test
    void keptBlobsFarApartInARepackedPackAreCopiedFromRunsReadApartAndRestoreByteForByte(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        Path src = tmp.resolve("src");
        Random random = new Random(6);
        TestTrees.write(src.resolve("a.bin"), TestTrees.bytes(random, 300_000));
        TestTrees.write(src.resolve("b.bin"), TestTrees.bytes(random, 3_000_000));
        TestTrees.write(src.resolve("c.bin"), TestTrees.bytes(random, 300_000));
        Snapshot kept;
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            Snapshot first = engine.backupFolder("laptop", src).snapshot();
            Files.delete(src.resolve("b.bin"));
            kept = engine.backupFolder("laptop", src).snapshot();
            engine.repository().backend().remove(new Handle(FileType.SNAPSHOT, first.id().hex()));
            // b.bin's 3 MB, which nothing needs now, lie between the blobs of a.bin and c.bin: the
            // repack reads the kept blobs as runs apart, skipping more than a megabyte between them.
            Repository repo = engine.repository();
            Set<Id> used = usedBlobs(repo);
            long widestGap = 0;
            for (IndexFile.PackRecord r : packRecords(repo)) {
                List<PackEntry> keptHere = r.blobs().stream().filter(e -> used.contains(e.id()))
                        .sorted(java.util.Comparator.comparingInt(PackEntry::offset)).toList();
                for (int i = 1; i < keptHere.size(); i++) {
                    PackEntry before = keptHere.get(i - 1);
                    widestGap = Math.max(widestGap, keptHere.get(i).offset() - (before.offset() + before.length()));
                }
            }
            assertThat(widestGap).as("unused bytes between two kept blobs of one pack").isGreaterThan(1 << 20);

            PruneResult result = prune(engine, Prune.DEFAULT_REPACK_THRESHOLD);
            assertThat(result.packsRepacked()).isPositive();
            assertCompletedPrune(engine, Prune.DEFAULT_REPACK_THRESHOLD);
        }
        ResticCli restic = new ResticCli(Engine.repositoryDir(data), RECOVERY);
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
        Path target = tmp.resolve("restored");
        restic.ok("restore", kept.id().hex(), "--target", target.toString());
        TestTrees.assertSameTree(src, target);
    }

    @Test
    void aDamagedBlobInAPackBeingRepackedStopsThePruneBeforeAnythingIsRemoved(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        try (Engine engine = Engine.create(data, RECOVERY.toCharArray(), catalog, Clock.systemUTC())) {
            Path src = tmp.resolve("src");
            TestTrees.write(src.resolve("a.bin"), TestTrees.bytes(new Random(5), 300_000));
            TestTrees.write(src.resolve("b.bin"), TestTrees.bytes(new Random(4), 300_000));
            Snapshot first = engine.backupFolder("laptop", src).snapshot();
            Files.delete(src.resolve("a.bin"));
            engine.backupFolder("laptop", src);
            engine.repository().backend().remove(new Handle(FileType.SNAPSHOT, first.id().hex()));
            // b.bin's blobs share a pack with a.bin's, which nothing needs now: the pack is repacked.
            Repository repo = engine.repository();
            Set<Id> used = usedBlobs(repo);
            IndexFile.PackRecord holder = null;
            PackEntry entry = null;
            for (IndexFile.PackRecord r : packRecords(repo)) {
                for (PackEntry e : r.blobs()) {
                    if (e.type() == BlobType.DATA && used.contains(e.id())) {
                        holder = r;
                        entry = e;
                    }
                }
            }
            assertThat(holder).as("the pack holding b.bin").isNotNull();
            assertThat(holder.blobs()).anyMatch(e -> !used.contains(e.id()));
            String damaged = "blob " + entry.id().shortHex() + " in pack " + holder.pack().shortHex();
            Path pack = Engine.repositoryDir(data).resolve("data").resolve(holder.pack().hex().substring(0, 2)).resolve(holder.pack().hex());
            byte[] bytes = Files.readAllBytes(pack);
            bytes[entry.offset() + entry.length() / 2] ^= 1;
            Files.write(pack, bytes);
            Map<String, String> before = listing(Engine.repositoryDir(data));
            List<String> catalogBefore = catalogRows(catalog);

            assertThatThrownBy(() -> prune(engine, 0.25))
                    .isInstanceOf(DamagedRepositoryException.class)
                    .hasMessageContaining(damaged)
                    .hasMessageContaining("stopped before removing anything");
            assertThat(listing(Engine.repositoryDir(data))).isEqualTo(before);
            assertThat(catalogRows(catalog)).isEqualTo(catalogBefore);
        }
    }

    private static PruneResult prune(Engine engine, double threshold) throws IOException {
        return new Prune(engine.repository(), engine.catalogIndex(), engine.workers(), Clock.systemUTC())
                .run(new Prune.Options(false, threshold, Duration.ofSeconds(5)), Prune.Progress.NONE);
    }

    /** After a prune: no pack nothing uses, none no index names, none above the threshold; the catalog names what the index names. */
    private static void assertCompletedPrune(Engine engine, double threshold) throws IOException {
        Repository repo = engine.repository();
        Set<Id> used = usedBlobs(repo);
        Set<Id> indexed = new HashSet<>();
        for (IndexFile.PackRecord r : packRecords(repo)) {
            indexed.add(r.pack());
            long usedBytes = 0;
            long all = 0;
            for (PackEntry e : r.blobs()) {
                all += e.length();
                if (used.contains(e.id())) {
                    usedBytes += e.length();
                }
            }
            assertThat(usedBytes).as("pack %s holds something in use", r.pack().shortHex()).isPositive();
            assertThat((double) (all - usedBytes) / all).as("unused share of pack %s", r.pack().shortHex()).isLessThanOrEqualTo(threshold);
        }
        assertThat(new HashSet<>(repo.list(FileType.PACK))).isEqualTo(indexed);
        assertThat(engine.catalogIndex().packs()).isSubsetOf(indexed);
        assertThat(engine.catalogIndex().indexFiles()).isEqualTo(new HashSet<>(repo.list(FileType.INDEX)));
        for (Id blob : used) {
            assertThat(engine.catalogIndex().find(BlobType.DATA, blob).or(() -> engine.catalogIndex().find(BlobType.TREE, blob)))
                    .as("catalog row of blob %s", blob.shortHex()).isPresent()
                    .get().satisfies(at -> assertThat(indexed).contains(at.pack()));
        }
    }

    /** With a threshold of 0, every blob left is one a snapshot reaches, and no blob is stored twice. */
    private static void assertNothingUnused(Repository repo) throws IOException {
        Set<Id> used = usedBlobs(repo);
        List<Id> stored = new ArrayList<>();
        for (IndexFile.PackRecord r : packRecords(repo)) {
            r.blobs().forEach(e -> stored.add(e.id()));
        }
        assertThat(new HashSet<>(stored)).isEqualTo(used);
        assertThat(stored).doesNotHaveDuplicates();
    }

    /** Every pack record of every index file, as the repository holds them now. */
    private static List<IndexFile.PackRecord> packRecords(Repository repo) throws IOException {
        List<IndexFile.PackRecord> records = new ArrayList<>();
        for (Id file : repo.list(FileType.INDEX)) {
            records.addAll(IndexFile.decode(repo.loadUnpacked(FileType.INDEX, file)));
        }
        return records;
    }

    private static Set<Id> usedBlobs(Repository repo) throws IOException {
        Set<Id> used = new HashSet<>();
        Deque<Id> todo = new ArrayDeque<>();
        for (Snapshot s : new app.threefold.snapshot.Snapshots(repo).list(null)) {
            if (used.add(s.tree())) {
                todo.add(s.tree());
            }
        }
        while (!todo.isEmpty()) {
            for (Node n : TreeCodec.decode(repo.loadBlob(BlobType.TREE, todo.pop()))) {
                if (n.content() != null) {
                    used.addAll(n.content());
                }
                if (n.subtree() != null && used.add(n.subtree())) {
                    todo.add(n.subtree());
                }
            }
        }
        return used;
    }

    static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    out.put(root.relativize(p).toString(), Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
                }
            }
        }
        return out;
    }

    private static List<String> catalogRows(Catalog catalog) {
        return catalog.jdbi().withHandle(h -> List.of(
                h.createQuery("SELECT count(*) || ' ' || coalesce(sum(size), 0) FROM packs").mapTo(String.class).one(),
                h.createQuery("SELECT count(*) || ' ' || coalesce(sum(length), 0) FROM blobs").mapTo(String.class).one(),
                h.createQuery("SELECT string_agg(encode(id, 'hex'), ',' ORDER BY id) FROM index_files").mapTo(String.class).one()));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                    Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(p));
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
