package app.threefold.snapshot;

import app.threefold.format.Id;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The one way a snapshot is written, whatever its source (a folder on the NAS, an SFTP session):
 * it takes the new tree depth-first, saves each folder's tree once its entries are known
 * (bottom-up, on the workers), then the root tree, packs and index, and only then the snapshot
 * file, so a snapshot never names data that is not stored. On the way it keeps the statistics:
 * every entry is compared with the parent snapshot's entry at the same path, by path and
 * content as Compare judges two snapshots (a file sent again with the same bytes is unchanged; a
 * path that is gone counts its files removed, see {@link RemovedFiles}).
 *
 * <p>Entries arrive depth-first: {@link #enterFolder}, its entries, {@link #leaveFolder}; then
 * {@link #finish} and {@link #save}. Only the folders on the current path are held. Not
 * thread-safe: one thread feeds it; file nodes may complete on any thread.
 */
public final class SnapshotWriter {
    private final Repository repository;
    private final BlobSaver saver;
    private final Executor workers;
    private final Runnable beforeSnapshot;
    private final RepositoryLock lock;
    private final Clock clock;
    private final Snapshot parent;
    private final Instant started;
    private final long bytesAddedBefore;
    private final RemovedFiles removed;
    private final Deque<Frame> path = new ArrayDeque<>();
    private final AtomicLong filesNew = new AtomicLong();
    private final AtomicLong filesChanged = new AtomicLong();
    private final AtomicLong filesUnchanged = new AtomicLong();
    private long filesRemoved;
    private long filesFailed;
    private long dirs;
    private long bytesRead;
    private long bytesTotal;
    private Id rootTree;

    /**
     * A folder on the current path: its entries so far, and what the parent snapshot has at its
     * path by name, less the names seen again (what is left when it ends is gone).
     */
    private static final class Frame {
        final Map<String, Node> previous;
        final List<CompletableFuture<Node>> entries = new ArrayList<>();

        Frame(Map<String, Node> previous) {
            this.previous = previous;
        }
    }

    /** A folder's tree as saved: the folder's node and its entries. */
    public record SavedFolder(Node node, List<Node> entries) {
    }

    /** What the snapshot holds compared with its parent, and what writing it took. */
    public record Statistics(long filesNew, long filesChanged, long filesUnchanged, long filesRemoved, long filesFailed,
                             long dirs, long bytesRead, long bytesTotal, long bytesAdded, Duration duration) {
    }

    /** The snapshot written and its statistics. */
    public record Written(Snapshot snapshot, Statistics statistics) {
    }

    /**
     * @param workers where folders' trees are encoded and saved
     * @param beforeSnapshot what must be made durable after the data and before the snapshot names it (content digests)
     * @param lock the lock the writing session holds; checked before the snapshot file is written
     * @param parent the snapshot this one follows, or null for a device's first
     * @param bytesAddedBefore what {@code saver} had added before this snapshot's data (a saver may outlive one snapshot)
     */
    public SnapshotWriter(Repository repository, BlobSaver saver, Executor workers, Runnable beforeSnapshot, RepositoryLock lock,
                          Clock clock, Snapshot parent, long bytesAddedBefore) throws IOException {
        this.repository = repository;
        this.saver = saver;
        this.workers = workers;
        this.beforeSnapshot = beforeSnapshot;
        this.lock = lock;
        this.clock = clock;
        this.parent = parent;
        this.bytesAddedBefore = bytesAddedBefore;
        this.removed = new RemovedFiles(repository);
        this.started = clock.instant();
        path.push(new Frame(parent == null ? new HashMap<>() : removed.entries(Node.dir("root", 0755, parent.time(), parent.tree()))));
    }

    /** The snapshot this one follows, or null. */
    public Snapshot parent() {
        return parent;
    }

    /** What the parent snapshot has at {@code name} in the current folder; null if nothing. */
    public Node previous(String name) {
        return path.peek().previous.get(name);
    }

    /** Takes the parent's entry at {@code name} out of the current folder's, so it does not count as removed. */
    private Node claim(String name) {
        return path.peek().previous.remove(name);
    }

    /** Starts a folder named {@code name} in the current one; its entries follow. */
    public void enterFolder(String name) throws IOException {
        Node was = claim(name);
        if (was != null && !was.isDir()) {
            filesRemoved += removed.filesIn(was);
        }
        path.push(new Frame(was != null && was.isDir() ? removed.entries(was) : new HashMap<>()));
    }

    /**
     * Ends the current folder: its tree is saved on the workers once its entries are known, and
     * {@code node} makes the folder's entry from the tree's id. The folder's entries are returned
     * with it, for a caller that keeps the saved state.
     */
    public CompletableFuture<SavedFolder> leaveFolder(Function<Id, Node> node) throws IOException {
        if (path.size() <= 1) {
            throw new IllegalStateException("leaveFolder without a matching enterFolder");
        }
        Frame f = path.pop();
        countRemoved(f);
        dirs++;
        CompletableFuture<SavedFolder> saved = allOf(f.entries).thenApplyAsync(
                entries -> new SavedFolder(node.apply(saver.saveTree(TreeCodec.encode(entries))), entries), workers);
        path.peek().entries.add(saved.thenApply(SavedFolder::node));
        return saved;
    }

    /**
     * Adds a file whose node completes once its content is stored. {@code bytes} is its size as the
     * source listed it; {@code read} what was read of it to store it (0 if its content was kept).
     */
    public void file(String name, CompletableFuture<Node> node, long bytes, long read) throws IOException {
        Node was = claim(name);
        if (was != null && !was.isFile()) {
            filesRemoved += removed.filesIn(was);
        }
        bytesTotal += bytes;
        bytesRead += read;
        path.peek().entries.add(node.thenApply(n -> {
            if (was == null || !was.isFile()) {
                filesNew.incrementAndGet();
            } else if (was.size() == n.size() && n.content() != null && n.content().equals(was.content())) {
                filesUnchanged.incrementAndGet();
            } else {
                filesChanged.incrementAndGet();
            }
            return n.name().equals(name) ? n : n.withName(name);
        }));
    }

    /** A file that could not be read: left out of the snapshot, counted as failed, not as removed. */
    public void failed(String name, long bytes) throws IOException {
        Node was = claim(name);
        if (was != null && was.isDir()) {
            filesRemoved += removed.filesIn(was);
        }
        bytesTotal += bytes;
        filesFailed++;
    }

    /** Adds a symbolic link. */
    public void link(String name, Node link) throws IOException {
        filesRemoved += removed.filesIn(claim(name));
        path.peek().entries.add(CompletableFuture.completedFuture(link.name().equals(name) ? link : link.withName(name)));
    }

    /**
     * Adds an entry taken whole from a snapshot (an untouched folder keeps its tree id). Its files
     * count as unchanged; files the parent had at this path and it lacks count as removed.
     */
    public void keep(String name, Node node) throws IOException {
        filesRemoved += removed.between(claim(name), node);
        countUnchanged(node);
        path.peek().entries.add(CompletableFuture.completedFuture(node.name().equals(name) ? node : node.withName(name)));
    }

    private void countUnchanged(Node top) throws IOException {
        // A loop over an explicit stack: a kept folder may be thousands of levels deep.
        Deque<Node> toVisit = new ArrayDeque<>();
        toVisit.push(top);
        while (!toVisit.isEmpty()) {
            Node n = toVisit.pop();
            if (n.isFile()) {
                filesUnchanged.incrementAndGet();
                bytesTotal += n.size();
            } else if (n.isDir() && n.subtree() != null) {
                dirs++;
                removed.entries(n).values().forEach(toVisit::push);
            }
        }
    }

    private void countRemoved(Frame f) throws IOException {
        for (Node gone : f.previous.values()) {
            filesRemoved += removed.filesIn(gone);
        }
    }

    /**
     * Waits for every entry, saves the root tree, flushes packs and index files and what must be
     * durable before a snapshot names the data. {@code node} makes the root's entry from its tree id.
     */
    public SavedFolder finish(Function<Id, Node> node) throws IOException {
        if (path.size() != 1) {
            throw new IllegalStateException(path.size() - 1 + " folders were entered but not left");
        }
        Frame root = path.peek();
        countRemoved(root);
        root.previous.clear();
        List<Node> top;
        try {
            top = allOf(root.entries).join();
        } catch (CompletionException e) {
            throw new IOException("saving the backup's data failed: " + e.getCause().getMessage(), e.getCause());
        }
        rootTree = saver.saveTree(TreeCodec.encode(top));
        saver.flush();
        beforeSnapshot.run();
        return new SavedFolder(node.apply(rootTree), top);
    }

    /** Whether the tree just finished is the parent's, to the byte: a snapshot would record nothing new. */
    public boolean sameAsParent() {
        return parent != null && rootTree != null && rootTree.equals(parent.tree());
    }

    /** Writes the snapshot file of the tree {@link #finish} saved. */
    public Written save(List<String> paths, String hostname, String username, List<String> tags) throws IOException {
        if (rootTree == null) {
            throw new IllegalStateException("save before finish");
        }
        lock.ensureHeld();
        Snapshot snapshot = new Snapshots(repository).save(new Snapshot(null, clock.instant(),
                parent == null ? null : parent.id(), rootTree, paths, hostname, username, tags));
        Statistics stats = new Statistics(filesNew.get(), filesChanged.get(), filesUnchanged.get(), filesRemoved, filesFailed, dirs,
                bytesRead, bytesTotal, saver.bytesAdded() - bytesAddedBefore, Duration.between(started, clock.instant()));
        return new Written(snapshot, stats);
    }

    private static <T> CompletableFuture<List<T>> allOf(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    }
}
