package app.threefold.prune;

import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.index.BlobLocation;
import app.threefold.index.CatalogIndex;
import app.threefold.index.IndexFile;
import app.threefold.pack.PackBuilder;
import app.threefold.pack.PackEntry;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import app.threefold.tree.TreeCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * restic's prune (its {@code doc/design.rst} and {@code cmd_prune.go}), in the repository's own
 * format, so restic still reads the result: mark every blob that a snapshot reaches, drop the
 * packs nothing uses, repack the packs that are mostly unused, write a full new set of index files
 * that supersede the old ones, update the catalog, and only then delete the old index files and,
 * last, the packs. Killed anywhere, nothing a snapshot needs is gone:
 * <ol>
 *   <li>new packs are written before any index names them (a crash leaves packs no index names,
 *       which {@code restic check} reports as harmless "additional files");</li>
 *   <li>new index files name only packs that exist (a crash leaves old and new index files side
 *       by side: duplicates, which readers accept);</li>
 *   <li>the catalog stops naming the doomed packs before they are deleted, so dedup never relies
 *       on a blob that is going;</li>
 *   <li>old index files go before the packs they name, so no index file names a deleted pack.</li>
 * </ol>
 * The next prune finds the leftovers (unindexed packs, unused copies) and finishes the job. It
 * holds the repository's exclusive lock from the first read to the last delete.
 */
public final class Prune {
    private static final Logger log = LoggerFactory.getLogger(Prune.class);
    /** restic's default: repack a pack when more than this share of it is unused. */
    public static final double DEFAULT_REPACK_THRESHOLD = 0.25;
    /** How long a prune waits for this process's backups and SFTP sessions to end by default. */
    public static final Duration DEFAULT_PATIENCE = Duration.ofMinutes(30);
    /** restic's limit of entries per index file. */
    static final int BLOBS_PER_INDEX_FILE = 50_000;
    private static final int PACK_SIZE = BlobSaver.DEFAULT_PACK_SIZE;
    /** Files removed at once at the end of a prune (of the appliance's own repository, on its disk). */
    private static final int REMOVERS = 16;

    /** How a prune runs. */
    public record Options(boolean dryRun, double repackThreshold, Duration patience) {
        public static final Options DEFAULT = new Options(false, DEFAULT_REPACK_THRESHOLD, DEFAULT_PATIENCE);

        public Options {
            if (!(repackThreshold >= 0 && repackThreshold <= 1)) {
                throw new PruneSettingException("the repack threshold must be between 0 and 100 %, not " + repackThreshold * 100 + " %");
            }
        }

        public Options withDryRun(boolean dry) {
            return new Options(dry, repackThreshold, patience);
        }
    }

    /** Where a prune tells how far it is: one line a person can read, and the share done (0..1). */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (fraction, line) -> { };

        void report(double fraction, String line);
    }

    private final Repository repository;
    private final CatalogIndex catalog;
    private final ExecutorService workers;
    private final Clock clock;

    /**
     * {@code catalog} may be null for a repository without one (a bare copy): then only the
     * repository changes. {@code workers} load trees in parallel.
     */
    public Prune(Repository repository, CatalogIndex catalog, ExecutorService workers, Clock clock) {
        this.repository = repository;
        this.catalog = catalog;
        this.workers = workers;
        this.clock = clock;
    }

    /** One pack as the index files describe it, and what the prune decides for it. */
    private static final class Pack {
        final Id id;
        final List<PackEntry> entries;
        long fileSize = -1;
        long used;
        long unused;
        Fate fate = Fate.KEEP;

        Pack(Id id, List<PackEntry> entries) {
            this.id = id;
            this.entries = entries;
        }

        BlobType type() {
            return entries.isEmpty() ? BlobType.DATA : entries.get(0).type();
        }
    }

    private enum Fate { KEEP, REPACK, REMOVE, MISSING }

    /** Runs the prune (or, with {@code dryRun}, only works out what it would do). */
    public PruneResult run(Options options, Progress progress) throws IOException {
        Instant started = clock.instant();
        progress.report(0, "waiting for backups and SFTP sessions to end, then locking the repository");
        // A dry run only reads: it locks as a backup does, so it neither waits for backups nor makes them wait long.
        try (RepositoryLock lock = options.dryRun() ? RepositoryLock.acquire(repository, false, clock)
                : RepositoryLock.acquireExclusive(repository, clock, options.patience(),
                        n -> progress.report(0, "waiting for " + n + " backup(s) or SFTP session(s) to end before pruning"))) {
            if (!options.dryRun()) {
                repository.settleUploads();
            }
            return prune(options, progress, started);
        }
    }

    private PruneResult prune(Options options, Progress progress, Instant started) throws IOException {
        Backend backend = repository.backend();
        // Where the time goes, for the log: a prune that got slow says which step did.
        StringBuilder phases = new StringBuilder();
        long[] mark = {System.nanoTime()};
        java.util.function.Consumer<String> phase = name -> {
            long now = System.nanoTime();
            phases.append(phases.isEmpty() ? "" : ", ").append(name).append(' ')
                    .append(String.format(java.util.Locale.ROOT, "%.2f s", (now - mark[0]) / 1e9));
            mark[0] = now;
        };
        // 1. The packs on disk, and the index as the repository's index files say it.
        Map<Id, Long> onDisk = new HashMap<>();
        backend.list(FileType.PACK, info -> onDisk.put(Id.parse(info.handle().name()), info.size()));
        long bytesBefore = onDisk.values().stream().mapToLong(Long::longValue).sum();
        List<Id> oldIndexFiles = repository.list(FileType.INDEX);
        progress.report(0.02, "reading " + oldIndexFiles.size() + " index files");
        Map<Id, Pack> packs = new LinkedHashMap<>();
        Map<Id, BlobLocation> trees = new HashMap<>();
        // Read and decoded on the workers (decrypting and parsing dozens of files one by one was a
        // fifth of a prune), merged here in the files' order.
        List<CompletableFuture<List<IndexFile.PackRecord>>> reads = new ArrayList<>(oldIndexFiles.size());
        for (Id file : oldIndexFiles) {
            reads.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return IndexFile.decode(repository.loadUnpacked(FileType.INDEX, file));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, workers));
        }
        for (CompletableFuture<List<IndexFile.PackRecord>> read : reads) {
            for (IndexFile.PackRecord r : join(read)) {
                // A pack named by two index files (a prune killed while writing the new ones) is one pack.
                if (packs.putIfAbsent(r.pack(), new Pack(r.pack(), r.blobs())) == null) {
                    for (PackEntry e : r.blobs()) {
                        // A tree in a pack that is gone cannot be read; another copy may be (else the walk refuses).
                        if (e.type() == BlobType.TREE && onDisk.containsKey(r.pack())) {
                            trees.putIfAbsent(e.id(), new BlobLocation(r.pack(), e.type(), e.offset(), e.length(), e.uncompressedLength()));
                        }
                    }
                }
            }
        }

        phase.accept("index");
        // 2. Mark: every tree and data blob some snapshot reaches.
        List<Snapshot> snapshots = new Snapshots(repository).list(null);
        progress.report(0.05, "marking the data of " + snapshots.size() + " snapshots");
        Set<Id> used = mark(snapshots, trees);
        trees.clear();
        progress.report(0.30, "marked " + used.size() + " blobs in use");
        phase.accept("mark");

        // 3. Plan: what each pack holds of it.
        Set<Id> seen = new HashSet<>();
        Set<Id> duplicated = new HashSet<>();
        for (Pack p : packs.values()) {
            Long size = onDisk.get(p.id);
            if (size == null) {
                p.fate = Fate.MISSING;
                continue;
            }
            p.fileSize = size;
            for (PackEntry e : p.entries) {
                if (used.contains(e.id())) {
                    p.used += e.length();
                    if (!seen.add(e.id())) {
                        duplicated.add(e.id());
                    }
                } else {
                    p.unused += e.length();
                }
            }
        }
        if (seen.size() != used.size()) {
            used.removeAll(seen);
            throw new DamagedRepositoryException(used.size() + " blob(s) that snapshots need are in no index file or in packs that are gone"
                    + " (e.g. " + used.iterator().next().shortHex() + "); nothing was pruned. Run `threefold check` and repair the"
                    + " repository from a copy before pruning");
        }
        for (Pack p : packs.values()) {
            if (p.fate == Fate.MISSING) {
                continue;
            }
            if (p.used == 0) {
                p.fate = Fate.REMOVE;
            } else if (p.unused > 0 && (double) p.unused / (p.used + p.unused) > options.repackThreshold()) {
                p.fate = Fate.REPACK;
            }
        }
        // A blob held by a kept pack is not copied out of a repacked one; its other copies go.
        Set<Id> heldByKept = new HashSet<>();
        Set<Id> relocatedPacks = new HashSet<>();
        if (!duplicated.isEmpty()) {
            for (Pack p : packs.values()) {
                if (p.fate == Fate.KEEP) {
                    for (PackEntry e : p.entries) {
                        if (duplicated.contains(e.id())) {
                            heldByKept.add(e.id());
                            relocatedPacks.add(p.id);
                        }
                    }
                }
            }
        }
        List<Pack> toRepack = packs.values().stream().filter(p -> p.fate == Fate.REPACK)
                .sorted(Comparator.comparing(Pack::type).thenComparing((Pack p) -> p.id)).toList();
        List<Pack> toRemove = packs.values().stream().filter(p -> p.fate == Fate.REMOVE).toList();
        List<Id> missing = packs.values().stream().filter(p -> p.fate == Fate.MISSING).map(p -> p.id).toList();
        List<Id> orphans = onDisk.keySet().stream().filter(id -> !packs.containsKey(id)).sorted().toList();
        long keptBytes = 0;
        for (Pack p : packs.values()) {
            if (p.fate == Fate.KEEP) {
                keptBytes += p.fileSize;
            }
        }
        long reclaimEstimate = toRemove.stream().mapToLong(p -> p.fileSize).sum()
                + toRepack.stream().mapToLong(p -> p.fileSize - p.used).sum()
                + orphans.stream().mapToLong(onDisk::get).sum();
        long keptBlobs = used.size();
        progress.report(0.35, String.format("plan: remove %d unused pack(s), repack %d, remove %d pack(s) no index names;"
                        + " about %d bytes to reclaim", toRemove.size(), toRepack.size(), orphans.size(), reclaimEstimate));
        boolean nothing = toRemove.isEmpty() && toRepack.isEmpty() && missing.isEmpty() && orphans.isEmpty();
        if (options.dryRun() || nothing) {
            return new PruneResult(options.dryRun(), snapshots.size(), keptBlobs, toRemove.size(), toRepack.size(), orphans.size(),
                    0, bytesBefore, bytesBefore - reclaimEstimate, reclaimEstimate, 0, 0,
                    Duration.between(started, clock.instant()));
        }

        // 4. Repack: copy the used blobs of mostly unused packs into new packs. Which blobs each pack
        // gives is decided here, in order; reading and checking them runs on the workers, a few
        // packs ahead; appending to the new packs stays in this thread, in order.
        List<IndexFile.PackRecord> written = new ArrayList<>();
        Set<Id> copied = new HashSet<>();
        Repacker repacker = new Repacker(written);
        int window = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);
        java.util.ArrayDeque<CompletableFuture<List<Copy>>> ahead = new java.util.ArrayDeque<>();
        int submitted = 0;
        int n = 0;
        while (n < toRepack.size()) {
            while (submitted < toRepack.size() && ahead.size() < window) {
                Pack p = toRepack.get(submitted++);
                List<PackEntry> take = new ArrayList<>();
                for (PackEntry e : p.entries) {
                    if (used.contains(e.id()) && !heldByKept.contains(e.id()) && copied.add(e.id())) {
                        take.add(e);
                    }
                }
                ahead.add(CompletableFuture.supplyAsync(() -> copies(p.id, take), workers));
            }
            for (Copy c : join(ahead.poll())) {
                repacker.add(c);
            }
            n++;
            progress.report(0.35 + 0.30 * n / toRepack.size(), "repacked pack " + n + " of " + toRepack.size());
        }
        repacker.finish();
        used.clear();
        phase.accept("plan and repack");

        // 5. New index files: the kept packs as they were, and the new ones; each supersedes all old files.
        List<IndexFile.PackRecord> all = new ArrayList<>();
        List<IndexFile.PackRecord> relocated = new ArrayList<>();
        for (Pack p : packs.values()) {
            if (p.fate == Fate.KEEP) {
                IndexFile.PackRecord r = new IndexFile.PackRecord(p.id, p.entries);
                all.add(r);
                if (relocatedPacks.contains(p.id)) {
                    relocated.add(r);
                }
            }
        }
        all.addAll(written);
        List<Id> newIndexFiles = new ArrayList<>();
        List<IndexFile.PackRecord> batch = new ArrayList<>();
        int blobs = 0;
        int files = Math.max(1, (int) Math.ceil(all.stream().mapToLong(r -> r.blobs().size()).sum() / (double) BLOBS_PER_INDEX_FILE));
        for (IndexFile.PackRecord r : all) {
            batch.add(r);
            blobs += r.blobs().size();
            if (blobs >= BLOBS_PER_INDEX_FILE) {
                newIndexFiles.add(repository.saveUnpacked(FileType.INDEX, IndexFile.encode(batch, oldIndexFiles)));
                progress.report(0.65 + 0.10 * newIndexFiles.size() / files, "wrote index file " + newIndexFiles.size() + " of about " + files);
                batch.clear();
                blobs = 0;
            }
        }
        if (!batch.isEmpty() || newIndexFiles.isEmpty()) {
            newIndexFiles.add(repository.saveUnpacked(FileType.INDEX, IndexFile.encode(batch, oldIndexFiles)));
            progress.report(0.75, "wrote index file " + newIndexFiles.size() + " of " + newIndexFiles.size());
        }

        phase.accept("new index");
        // 6. The catalog forgets the doomed packs before they go.
        List<Id> doomed = new ArrayList<>();
        toRemove.forEach(p -> doomed.add(p.id));
        toRepack.forEach(p -> doomed.add(p.id));
        doomed.addAll(missing);
        doomed.addAll(orphans);
        if (catalog != null) {
            catalog.replaceAfterPrune(newIndexFiles, doomed, written, relocated);
            progress.report(0.77, "updated the catalog's blob index");
        }

        phase.accept("catalog");
        // 7. Old index files, then the packs they named.
        // Each group is removed in parallel, 16 at a time (one unlink at a time was a fifth of a
        // prune); every index file is gone before the first pack goes.
        removeAll(FileType.INDEX, oldIndexFiles, (k, of) -> progress.report(0.77 + 0.05 * k / of, "removed old index file " + k + " of " + of));
        List<Id> deletions = new ArrayList<>(doomed);
        deletions.removeAll(new HashSet<>(missing));
        removeAll(FileType.PACK, deletions, (k, of) -> progress.report(0.82 + 0.18 * k / of, "removed pack " + k + " of " + of));
        long bytesAfter = keptBytes + written.stream().mapToLong(r -> onDiskSize(r)).sum();
        phase.accept("delete");
        log.info("pruned {}: removed {} packs, repacked {} into {}, removed {} unindexed; {} → {} bytes; {}", backend.location(),
                toRemove.size(), toRepack.size(), written.size(), orphans.size(), bytesBefore, bytesAfter, phases);
        return new PruneResult(false, snapshots.size(), keptBlobs, toRemove.size(), toRepack.size(), orphans.size(), written.size(),
                bytesBefore, bytesAfter, bytesBefore - bytesAfter, newIndexFiles.size(), oldIndexFiles.size(),
                Duration.between(started, clock.instant()));
    }

    /**
     * Removes the objects, {@value #REMOVERS} at a time, and returns once all are gone; {@code done}
     * hears (removed, of). Removing a 16 MiB pack is the file system's work, not the CPU's: on a
     * 2-core machine with ext4, 300 packs took 1.3 s two at a time and 0.8 s sixteen at a time.
     */
    private void removeAll(FileType type, List<Id> ids, java.util.function.BiConsumer<Integer, Integer> done) throws IOException {
        if (ids.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> removals = new ArrayList<>(ids.size());
        try (ExecutorService removers = java.util.concurrent.Executors.newFixedThreadPool(Math.min(REMOVERS, ids.size()),
                Thread.ofPlatform().name("prune-remove-", 0).daemon().factory())) {
            for (Id id : ids) {
                removals.add(CompletableFuture.runAsync(() -> {
                    try {
                        repository.backend().remove(new Handle(type, id.hex()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, removers));
            }
            reportAll(removals, done);
        }
    }

    private static void reportAll(List<CompletableFuture<Void>> removals, java.util.function.BiConsumer<Integer, Integer> done)
            throws IOException {
        // Every removal is waited for, failed or not, before the first failure is passed on: none may
        // still run when the packs' turn comes.
        IOException failed = null;
        RuntimeException broken = null;
        for (int i = 0; i < removals.size(); i++) {
            try {
                join(removals.get(i));
            } catch (IOException e) {
                failed = failed == null ? e : failed;
            } catch (RuntimeException e) {
                broken = broken == null ? e : broken;
            }
            done.accept(i + 1, removals.size());
        }
        if (failed != null) {
            throw failed;
        }
        if (broken != null) {
            throw broken;
        }
    }

    private long onDiskSize(IndexFile.PackRecord r) {
        try {
            return repository.backend().stat(new Handle(FileType.PACK, r.pack().hex()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every blob the snapshots reach: a breadth-first walk, one level of trees at a time loaded in
     * parallel, each tree once however many snapshots share it.
     */
    private Set<Id> mark(List<Snapshot> snapshots, Map<Id, BlobLocation> trees) throws IOException {
        Set<Id> used = ConcurrentHashMap.newKeySet();
        List<Id> level = new ArrayList<>();
        for (Snapshot s : snapshots) {
            if (used.add(s.tree())) {
                level.add(s.tree());
            }
        }
        while (!level.isEmpty()) {
            List<CompletableFuture<List<Id>>> loads = new ArrayList<>(level.size());
            for (Id tree : level) {
                loads.add(CompletableFuture.supplyAsync(() -> children(tree, trees, used), workers));
            }
            List<Id> next = new ArrayList<>();
            for (CompletableFuture<List<Id>> f : loads) {
                next.addAll(join(f));
            }
            level = next;
        }
        return used;
    }

    private List<Id> children(Id tree, Map<Id, BlobLocation> trees, Set<Id> used) {
        BlobLocation at = trees.get(tree);
        if (at == null) {
            throw new DamagedRepositoryException("tree " + tree.shortHex() + ", which a snapshot needs, is in no index file or in a pack"
                    + " that is gone; nothing was pruned. Run `threefold check` and repair the repository from a copy before pruning");
        }
        TreeCodec.References refs;
        try {
            refs = TreeCodec.references(repository.loadBlob(tree, at));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (app.threefold.format.FormatException e) {
            throw new DamagedRepositoryException("tree " + tree.shortHex() + " cannot be read (" + e.getMessage() + "); nothing was"
                    + " pruned. Run `threefold check` and repair the repository from a copy before pruning", e);
        }
        used.addAll(refs.content());
        List<Id> subtrees = new ArrayList<>();
        for (Id subtree : refs.subtrees()) {
            if (used.add(subtree)) {
                subtrees.add(subtree);
            }
        }
        return subtrees;
    }

    /**
     * One blob to copy into a new pack: its sealed bytes as they go into the pack, at {@code off},
     * {@code len} in {@code buf} (a run of the old pack, or the blob compressed anew). Pointing into
     * the run instead of copying each blob out spares the heap a megabyte-sized array per blob.
     */
    private record Copy(PackEntry entry, byte[] buf, int off, int len, int uncompressedLength) {
    }

    /** Blobs closer than this in a pack are read in one go; farther apart, the bytes between are skipped. */
    private static final int READ_GAP = 1 << 20;

    /**
     * Reads what a pack being repacked still holds of use and returns the blobs {@code take} asks
     * for, each checked (MAC and SHA-256: a damaged blob must not be made to look sound in a new
     * pack). A blob stored plain is compressed, as a new one would be, if that pays; others keep
     * their sealed bytes. Only the runs of wanted blobs are read: a pack repacked is mostly unused,
     * and reading it whole was most of a prune's reading.
     */
    private List<Copy> copies(Id pack, List<PackEntry> take) {
        List<PackEntry> sorted = take.stream().sorted(Comparator.comparingInt(PackEntry::offset)).toList();
        List<Copy> out = new ArrayList<>(take.size());
        int i = 0;
        while (i < sorted.size()) {
            int from = sorted.get(i).offset();
            int to = from + sorted.get(i).length();
            int j = i + 1;
            while (j < sorted.size() && sorted.get(j).offset() - to <= READ_GAP) {
                to = Math.max(to, sorted.get(j).offset() + sorted.get(j).length());
                j++;
            }
            if (to <= from) {
                // An entry of no length would ask the backend for the rest of the pack.
                throw new DamagedRepositoryException("pack " + pack.shortHex() + " has an index entry of no length at offset " + from
                        + "; the prune stopped before removing anything. Run `threefold check` and repair the repository from a copy");
            }
            byte[] run;
            try (InputStream in = repository.backend().open(new Handle(FileType.PACK, pack.hex()), from, to - from)) {
                run = in.readNBytes(to - from);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (PackEntry e : sorted.subList(i, j)) {
                out.add(copy(pack, e, run, e.offset() - from));
            }
            i = j;
        }
        return out;
    }

    private Copy copy(Id pack, PackEntry e, byte[] run, int at) {
        byte[] plain;
        try {
            plain = repository.decodeBlob(e.id(), pack, run, at, e.length(), e.uncompressedLength());
        } catch (app.threefold.format.FormatException damaged) {
            throw new DamagedRepositoryException("blob " + e.id().shortHex() + " in pack " + pack.shortHex() + ", which a snapshot needs,"
                    + " is damaged (" + damaged.getMessage() + "); the prune stopped before removing anything. Run `threefold check`"
                    + " and repair the repository from a copy", damaged);
        }
        if (!e.compressed() && repository.version() >= 2) {
            byte[] compressed = repository.compression().compressBlob(plain, 0, plain.length);
            if (compressed != null) {
                byte[] sealed = repository.crypto().seal(compressed);
                return new Copy(e, sealed, 0, sealed.length, plain.length);
            }
        }
        return new Copy(e, run, at, e.length(), e.uncompressedLength());
    }

    private static <T> T join(CompletableFuture<T> f) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Fills new packs, one per blob type, with blobs copied out of packs being repacked. */
    private final class Repacker {
        private final List<IndexFile.PackRecord> written;
        private final Map<BlobType, PackBuilder> open = new HashMap<>();

        Repacker(List<IndexFile.PackRecord> written) {
            this.written = written;
        }

        void add(Copy c) throws IOException {
            BlobType type = c.entry().type();
            PackBuilder b = open.computeIfAbsent(type, t -> new PackBuilder(t, repository.crypto(), PACK_SIZE + (PACK_SIZE >> 3)));
            b.add(c.entry().id(), c.buf(), c.off(), c.len(), c.uncompressedLength());
            if (b.size() >= PACK_SIZE) {
                open.remove(type);
                save(b);
            }
        }

        void finish() throws IOException {
            for (PackBuilder b : List.copyOf(open.values())) {
                save(b);
            }
            open.clear();
        }

        private void save(PackBuilder b) throws IOException {
            PackBuilder.Pack pack = b.finish();
            repository.backend().save(new Handle(FileType.PACK, pack.id().hex()),
                    new ByteArrayInputStream(pack.bytes(), 0, pack.length()), pack.length());
            written.add(new IndexFile.PackRecord(pack.id(), pack.entries()));
        }
    }
}
