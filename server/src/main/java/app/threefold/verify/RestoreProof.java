package app.threefold.verify;

import app.threefold.format.BlobType;
import app.threefold.format.FormatException;
import app.threefold.format.Id;
import app.threefold.index.BlobLocation;
import app.threefold.repository.Repository;
import app.threefold.snapshot.Snapshot;
import app.threefold.tree.NameCharset;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import app.threefold.tree.TreeWalk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Restores a snapshot from one copy into a discarding sink and proves it intact: every blob's
 * MAC and SHA-256, and every file's whole-content SHA-256 against the digest recorded at ingest.
 * A backup that cannot be restored is not a backup; this is how the appliance knows.
 */
public final class RestoreProof {
    private final Repository copy;
    private final Function<Id, Optional<byte[]>> recordedDigests;
    private final ExecutorService workers;
    private final Clock clock;

    /**
     * @param copy            the copy to test (the NAS repository or a mirror), with its index loaded
     * @param recordedDigests content key → SHA-256 recorded at ingest; empty when none was recorded
     */
    public RestoreProof(Repository copy, Function<Id, Optional<byte[]>> recordedDigests, ExecutorService workers, Clock clock) {
        this.copy = copy;
        this.recordedDigests = recordedDigests;
        this.workers = workers;
        this.clock = clock;
    }

    /** How far a running test is; reported as it goes. */
    public record Progress(long files, long bytes, long totalFiles, long totalBytes) {
    }

    /** A file that did not come back intact, and why. */
    public record Failure(String path, String reason) {
    }

    /**
     * The verdict. {@code filesUnverified} counts files with no recorded digest (checked blob by blob
     * only). {@code sampled}: only a sample of the files was read (every folder always is);
     * {@code packsRead} are the packs blobs were read from; {@code newRound}: the sample started over,
     * every pack of the snapshot having been read by earlier samples.
     */
    public record Result(boolean passed, long files, long bytes, long filesUnverified, Duration duration, List<Failure> failures,
                         boolean sampled, Set<Id> packsRead, boolean newRound) {
        public Result(boolean passed, long files, long bytes, long filesUnverified, Duration duration, List<Failure> failures) {
            this(passed, files, bytes, filesUnverified, duration, failures, false, Set.of(), false);
        }

        public Result {
            failures = List.copyOf(failures);
            packsRead = Set.copyOf(packsRead);
        }

        public String verdict() {
            return passed ? "passed" : "failed";
        }
    }

    /**
     * How much of a snapshot to read: all of it ({@link #FULL}, or a budget at least its size), or
     * files up to {@code budgetBytes}. A sample reads every folder, then first files holding blobs
     * in packs none of the earlier samples read ({@code packsRead}), then random files, so that
     * successive samples read every pack of the device; when none is left unread a new round starts.
     */
    public record Sample(long budgetBytes, Set<Id> packsRead, RandomGenerator random) {
        public static final Sample FULL = new Sample(0, Set.of(), new java.util.SplittableRandom(0));

        public Sample {
            if (budgetBytes < 0) {
                throw new IllegalArgumentException("a byte budget must not be negative: " + budgetBytes);
            }
            packsRead = Set.copyOf(packsRead);
        }

        boolean full() {
            return budgetBytes == 0;
        }
    }

    /** Linux's NAME_MAX and PATH_MAX. */
    static final int MAX_NAME_BYTES = 255;
    static final int MAX_PATH_BYTES = 4096;

    private record FileEntry(String path, Node node) {
    }

    public Result run(Snapshot snapshot, java.util.function.Consumer<Progress> progress) throws IOException {
        return run(snapshot, Sample.FULL, progress);
    }

    /** Restores {@code snapshot}, or the part of it {@code sample} chooses, and checks what was read. */
    public Result run(Snapshot snapshot, Sample sample, java.util.function.Consumer<Progress> progress) throws IOException {
        Instant started = clock.instant();
        List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
        List<FileEntry> all = new ArrayList<>();
        Set<Id> packsRead = ConcurrentHashMap.newKeySet();
        collect(snapshot.tree(), "", all, failures, packsRead);
        long allBytes = all.stream().mapToLong(f -> f.node().size()).sum();
        boolean sampled = !sample.full() && allBytes > sample.budgetBytes();
        boolean[] newRound = {false};
        List<FileEntry> files = sampled ? choose(all, sample, newRound) : all;
        long totalBytes = files.stream().mapToLong(f -> f.node().size()).sum();
        AtomicLong doneFiles = new AtomicLong();
        AtomicLong doneBytes = new AtomicLong();
        AtomicLong unverified = new AtomicLong();
        List<CompletableFuture<Void>> checks = new ArrayList<>(files.size());
        for (FileEntry f : files) {
            checks.add(CompletableFuture.runAsync(() -> {
                long bytes = verify(f, failures, unverified, packsRead);
                long n = doneFiles.incrementAndGet();
                long b = doneBytes.addAndGet(bytes);
                progress.accept(new Progress(n, b, files.size(), totalBytes));
            }, workers));
        }
        CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).join();
        List<Failure> sorted = new ArrayList<>(failures);
        sorted.sort(java.util.Comparator.comparing(Failure::path));
        return new Result(sorted.isEmpty(), doneFiles.get(), doneBytes.get(), unverified.get(),
                Duration.between(started, clock.instant()), List.copyOf(sorted), sampled, packsRead, newRound[0]);
    }

    /**
     * The files of a sample: in random order, first each file that holds a blob in a pack not read
     * yet (this round or in this sample), then any, while the budget lasts. A file larger than what
     * is left is skipped unless nothing was chosen yet, so a pack held only by a large file is read
     * too, in a sample of its own.
     */
    private List<FileEntry> choose(List<FileEntry> all, Sample sample, boolean[] newRound) {
        List<FileEntry> shuffled = new ArrayList<>(all);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            Collections.swap(shuffled, i, sample.random().nextInt(i + 1));
        }
        Map<FileEntry, Set<Id>> packsOf = new java.util.IdentityHashMap<>();
        Set<Id> inSnapshot = new HashSet<>();
        for (FileEntry f : shuffled) {
            Set<Id> packs = new HashSet<>();
            for (Id blob : f.node().content()) {
                copy.locate(BlobType.DATA, blob).ifPresent(at -> packs.add(at.pack()));
            }
            packsOf.put(f, packs);
            inSnapshot.addAll(packs);
        }
        Set<Id> covered = new HashSet<>(sample.packsRead());
        if (covered.containsAll(inSnapshot)) {
            covered.clear();
            newRound[0] = true;
        }
        List<FileEntry> chosen = new ArrayList<>();
        Set<FileEntry> taken = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        long left = sample.budgetBytes();
        for (FileEntry f : shuffled) {
            Set<Id> packs = packsOf.get(f);
            if (!covered.containsAll(packs) && (f.node().size() <= left || chosen.isEmpty())) {
                chosen.add(f);
                taken.add(f);
                covered.addAll(packs);
                left -= f.node().size();
            }
        }
        for (FileEntry f : shuffled) {
            if (left <= 0) {
                break;
            }
            if (!taken.contains(f) && f.node().size() <= left) {
                chosen.add(f);
                left -= f.node().size();
            }
        }
        return chosen;
    }

    /** Lists the snapshot's files depth first (see {@link TreeWalk}), with what a real restore would refuse. */
    private void collect(Id root, String rootPath, List<FileEntry> files, List<Failure> failures, Set<Id> packsRead) {
        try {
            TreeWalk.walk(root, rootPath, (tree, path) -> open(tree, path, failures, packsRead), (p, n) -> {
                String unrestorable = unrestorable(n, p);
                if (unrestorable != null) {
                    failures.add(new Failure(p, unrestorable));
                }
                if (n.isFile()) {
                    files.add(new FileEntry(p, n));
                }
                return true;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e); // open() reports every read failure itself and throws none
        }
    }

    /**
     * What a real restore to a disk would refuse, though every byte of it is readable: names and
     * paths beyond what Linux file systems hold ("File name too long" from restic and the panel).
     */
    private static String unrestorable(Node n, String path) {
        int nameBytes = NameCharset.toBytes(n.name()).length;
        if (nameBytes > MAX_NAME_BYTES) {
            return "the name is " + nameBytes + " bytes long; no file system restores names over " + MAX_NAME_BYTES + " bytes";
        }
        int pathBytes = NameCharset.toBytes(path).length;
        if (pathBytes > MAX_PATH_BYTES) {
            return "the path is " + pathBytes + " bytes long; a restore cannot create paths over " + MAX_PATH_BYTES + " bytes";
        }
        return null;
    }

    /** A folder's entries, or null if it cannot be read (reported). */
    private List<Node> open(Id tree, String path, List<Failure> failures, Set<Id> packsRead) {
        try {
            copy.locate(BlobType.TREE, tree).ifPresent(at -> packsRead.add(at.pack()));
            return TreeCodec.decode(copy.loadBlob(BlobType.TREE, tree));
        } catch (IOException | FormatException e) {
            failures.add(new Failure(path.isEmpty() ? "/" : path, "folder cannot be read: " + e.getMessage()));
            return null;
        }
    }

    /** Reads one file blob by blob into a digest; returns the bytes read. */
    private long verify(FileEntry f, List<Failure> failures, AtomicLong unverified, Set<Id> packsRead) {
        MessageDigest sha = Id.sha256();
        long bytes = 0;
        try {
            for (Id blob : f.node().content()) {
                Optional<BlobLocation> at = copy.locate(BlobType.DATA, blob);
                if (at.isEmpty()) {
                    failures.add(new Failure(f.path(), "data blob " + blob.shortHex() + " is missing from this copy"));
                    return bytes;
                }
                packsRead.add(at.get().pack());
                byte[] plain = copy.loadBlob(blob, at.get());
                sha.update(plain);
                bytes += plain.length;
            }
        } catch (FormatException e) {
            failures.add(new Failure(f.path(), e.getMessage()));
            return bytes;
        } catch (IOException | UncheckedIOException e) {
            failures.add(new Failure(f.path(), "reading failed: " + e.getMessage()));
            return bytes;
        }
        if (bytes != f.node().size()) {
            failures.add(new Failure(f.path(), "restored " + bytes + " bytes, the snapshot says " + f.node().size()));
            return bytes;
        }
        byte[] digest = sha.digest();
        Optional<byte[]> recorded = recordedDigests.apply(app.threefold.tree.Node.contentKey(f.node().content()));
        if (recorded.isEmpty()) {
            unverified.incrementAndGet();
        } else if (!MessageDigest.isEqual(recorded.get(), digest)) {
            failures.add(new Failure(f.path(), "SHA-256 " + HexFormat.of().formatHex(digest).substring(0, 16)
                    + "… differs from the one recorded at backup"));
        }
        return bytes;
    }
}
