package app.threefold.ingest;

import app.threefold.chunker.Chunker;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a depth-first stream of folders, files and links into a snapshot. Every source uses
 * it: a folder on the NAS, an SFTP session's overlay. Not thread-safe: one thread feeds it,
 * while hashing, compression, encryption and uploads run on the worker pool.
 *
 * <p>Entries arrive depth-first: {@link #enterDirectory}, its entries, {@link #leaveDirectory}.
 * A file whose size and mtime equal those of the same path in the parent snapshot keeps its
 * content without being read. A path of the parent snapshot that is not seen again is counted as
 * removed when its folder is left (see {@link RemovedFiles}). Memory stays bounded: at most {@value #MAX_IN_FLIGHT_MIB} MiB of
 * chunks wait for the workers, and only the folders on the current path are held open.
 */
public final class IngestSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestSession.class);
    static final int MAX_IN_FLIGHT_MIB = 96;

    private final Repository repository;
    private final BlobSaver saver;
    private final ContentDigests digests;
    private final ExecutorService workers;
    private final Clock clock;
    private final Snapshot parent;
    private final RepositoryLock lock;
    private final ContentStore content;
    private final RemovedFiles removed;
    private final Deque<Frame> path = new ArrayDeque<>();
    private final Instant started;
    private final AtomicLong bytesRead = new AtomicLong();
    private long filesNew;
    private long filesUnchanged;
    /** Files read again because their size or time differed: counted once their content is known. */
    private final AtomicLong rereadChanged = new AtomicLong();
    private final AtomicLong rereadUnchanged = new AtomicLong();
    private long filesRemoved;
    private long filesFailed;
    private long dirs;
    private long bytesTotal;
    private final List<String> problems = new ArrayList<>();

    /**
     * One folder on the current path: its entries so far, its counterpart in the parent snapshot,
     * and the names seen as files and as folders, to tell what is gone when the folder is left.
     */
    private static final class Frame {
        final String name;
        final Attributes attributes;
        final Map<String, Node> previous;
        final List<CompletableFuture<Node>> children = new ArrayList<>();
        final Set<String> seenFiles = new HashSet<>();
        final Set<String> seenDirs = new HashSet<>();

        Frame(String name, Attributes attributes, Map<String, Node> previous) {
            this.name = name;
            this.attributes = attributes;
            this.previous = previous;
        }
    }

    public IngestSession(Repository repository, BlobSaver saver, Chunker chunker, ContentDigests digests,
                         ExecutorService workers, Clock clock, Snapshot parent) throws IOException {
        this.repository = repository;
        this.saver = saver;
        this.digests = digests;
        this.workers = workers;
        this.clock = clock;
        this.parent = parent;
        this.content = new ContentStore(chunker, saver, digests, MAX_IN_FLIGHT_MIB);
        this.removed = new RemovedFiles(repository);
        this.started = clock.instant();
        path.push(new Frame("", null, parent == null ? Map.of() : loadTree(parent.tree())));
        // Last: if taking the lock fails, nothing is left to release.
        this.lock = RepositoryLock.acquire(repository, false, clock);
    }

    /** The snapshot this one builds on, or null for a device's first backup. */
    public Snapshot parent() {
        return parent;
    }

    public void enterDirectory(String name, Attributes attributes) throws IOException {
        path.peek().seenDirs.add(name);
        Node before = path.peek().previous.get(name);
        Map<String, Node> previous = before != null && before.isDir() && before.subtree() != null
                ? loadTree(before.subtree()) : Map.of();
        path.push(new Frame(name, attributes, previous));
    }

    public void leaveDirectory() throws IOException {
        if (path.size() <= 1) {
            throw new IllegalStateException("leaveDirectory without a matching enterDirectory");
        }
        Frame dir = path.pop();
        countRemoved(dir);
        dirs++;
        CompletableFuture<Node> node = allOf(dir.children).thenApplyAsync(children -> {
            Id subtree = saver.saveTree(TreeCodec.encode(children));
            Attributes a = dir.attributes;
            return withOwner(Node.dir(dir.name, a.permissions(), a.mtime(), subtree), a);
        }, workers);
        path.peek().children.add(node);
    }

    /** Files of the parent snapshot's folder that this folder no longer has, by path. */
    private void countRemoved(Frame dir) throws IOException {
        for (Node was : dir.previous.values()) {
            if (was.isFile() && !dir.seenFiles.contains(was.name()) || was.isDir() && !dir.seenDirs.contains(was.name())) {
                filesRemoved += removed.filesIn(was);
            }
        }
    }

    public void symlink(String name, Attributes attributes, String target) {
        path.peek().children.add(CompletableFuture.completedFuture(
                withOwner(Node.symlink(name, attributes.mtime(), target), attributes)));
    }

    /**
     * How ingest treated one file. {@code CHANGED} means read again (its size or time differed); the
     * statistics count it changed only if its content turns out to differ from the parent's.
     */
    public enum Outcome { NEW, CHANGED, UNCHANGED, FAILED }

    /**
     * Adds a file. It is read only if the parent snapshot lacks it or its size or mtime
     * changed. A file that cannot be read is left out and reported, not fatal.
     */
    public Outcome file(String name, Attributes attributes, ContentOpener opener) {
        Frame dir = path.peek();
        dir.seenFiles.add(name);
        Node before = dir.previous.get(name);
        bytesTotal += attributes.size();
        if (before != null && before.isFile() && before.size() == attributes.size()
                && before.mtime() != null && before.mtime().equals(attributes.mtime()) && before.content() != null) {
            filesUnchanged++;
            dir.children.add(CompletableFuture.completedFuture(fileNode(name, attributes, attributes.size(), before.content())));
            return Outcome.UNCHANGED;
        }
        try (InputStream raw = opener.open()) {
            readFile(dir, name, attributes, raw, before != null && before.isFile() ? before : null);
        } catch (IOException | UncheckedIOException e) {
            filesFailed++;
            String problem = name + ": " + e.getMessage();
            problems.add(problem);
            log.warn("left out of the snapshot: {}", problem);
            return Outcome.FAILED;
        }
        if (before == null || !before.isFile()) {
            filesNew++;
            return Outcome.NEW;
        }
        return Outcome.CHANGED;
    }

    /**
     * Stores a file read again; once its content is known it counts as changed or, if the bytes
     * equal the parent's file at this path (only its time changed), as unchanged, as Compare judges.
     */
    private void readFile(Frame dir, String name, Attributes attributes, InputStream raw, Node before) throws IOException {
        ContentStore.Stored stored = content.store(raw);
        bytesRead.addAndGet(stored.size());
        dir.children.add(stored.content().thenApply(ids -> {
            if (before != null) {
                (before.size() == stored.size() && ids.equals(before.content()) ? rereadUnchanged : rereadChanged).incrementAndGet();
            }
            return fileNode(name, attributes, stored.size(), ids);
        }));
    }

    private static Node fileNode(String name, Attributes a, long size, List<Id> content) {
        return withOwner(Node.file(name, a.permissions(), a.mtime(), size, content), a);
    }

    private static Node withOwner(Node n, Attributes a) {
        if (a.uid() == 0 && a.gid() == 0 && a.user() == null && a.group() == null && a.inode() == 0) {
            return n;
        }
        return new Node(n.name(), n.type(), n.mode(), n.mtime(), n.atime(), n.ctime(), a.uid(), a.gid(), a.user(), a.group(),
                a.inode(), n.deviceId(), n.size(), n.links(), n.linkTarget(), n.content(), n.subtree());
    }

    private static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    }

    private Map<String, Node> loadTree(Id tree) throws IOException {
        Map<String, Node> byName = new HashMap<>();
        for (Node n : TreeCodec.decode(repository.loadBlob(BlobType.TREE, tree))) {
            byName.put(n.name(), n);
        }
        return byName;
    }

    /**
     * Waits for every file, writes the trees, packs and index files, then the snapshot file,
     * in that order, so the snapshot never names data that is not stored.
     */
    public Result commit(String hostname, String username, List<String> paths, List<String> tags) throws IOException {
        if (path.size() != 1) {
            throw new IllegalStateException(path.size() - 1 + " folders were entered but not left");
        }
        Frame root = path.peek();
        content.flush();
        countRemoved(root);
        List<Node> top;
        try {
            top = allOf(root.children).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IOException("saving the backup's data failed: " + e.getCause().getMessage(), e.getCause());
        }
        Id tree = saver.saveTree(TreeCodec.encode(top));
        saver.flush();
        digests.flush();
        lock.ensureHeld();
        Snapshot snapshot = new Snapshots(repository).save(new Snapshot(null, clock.instant(),
                parent == null ? null : parent.id(), tree, paths, hostname, username, tags));
        IngestStats stats = new IngestStats(filesNew, rereadChanged.get(), filesUnchanged + rereadUnchanged.get(), filesRemoved, filesFailed, dirs,
                bytesRead.get(), bytesTotal, saver.bytesAdded(), Duration.between(started, clock.instant()));
        return new Result(snapshot, stats, List.copyOf(problems));
    }

    /** The snapshot written, what it took, and the files left out with why. */
    public record Result(Snapshot snapshot, IngestStats stats, List<String> problems) {
    }

    @Override
    public void close() throws IOException {
        // The lock goes even if the saver fails: a lock left held is refreshed for as long as the appliance runs.
        try {
            saver.close();
        } finally {
            lock.close();
        }
    }
}
