package app.threefold.ingest;

import app.threefold.chunker.Chunker;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.SnapshotWriter;
import app.threefold.tree.Node;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a depth-first stream of folders, files and links from a folder on the NAS into a
 * snapshot, through the {@link SnapshotWriter} that SFTP sessions use too. Not thread-safe: one
 * thread feeds it, while hashing, compression, encryption and uploads run on the worker pool.
 *
 * <p>Entries arrive depth-first: {@link #enterDirectory}, its entries, {@link #leaveDirectory}.
 * A file whose size and mtime equal those of the same path in the parent snapshot keeps its
 * content without being read. Memory stays bounded: at most {@value #MAX_IN_FLIGHT_MIB} MiB of
 * chunks wait for the workers, and only the folders on the current path are held open.
 */
public final class IngestSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestSession.class);
    static final int MAX_IN_FLIGHT_MIB = 96;

    private final Repository repository;
    private final BlobSaver saver;
    private final Snapshot parent;
    private final RepositoryLock lock;
    private final ContentStore content;
    private final SnapshotWriter writer;
    /** The attributes of the folders on the current path, for their nodes once they are left. */
    private final Deque<Folder> path = new ArrayDeque<>();
    private final List<String> problems = new ArrayList<>();

    private record Folder(String name, Attributes attributes) {
    }

    public IngestSession(Repository repository, BlobSaver saver, Chunker chunker, ContentDigests digests,
                         ExecutorService workers, Clock clock, Snapshot parent) throws IOException {
        this.repository = repository;
        this.saver = saver;
        this.parent = parent;
        this.content = new ContentStore(chunker, saver, digests, MAX_IN_FLIGHT_MIB);
        // Last: if taking the lock fails, nothing is left to release.
        RepositoryLock taken = RepositoryLock.acquire(repository, false, clock);
        try {
            this.writer = new SnapshotWriter(repository, saver, workers, digests::flush, taken, clock, parent, 0);
        } catch (IOException | RuntimeException e) {
            taken.close();
            throw e;
        }
        this.lock = taken;
    }

    /** The snapshot this one builds on, or null for a device's first backup. */
    public Snapshot parent() {
        return parent;
    }

    public void enterDirectory(String name, Attributes attributes) throws IOException {
        writer.enterFolder(name);
        path.push(new Folder(name, attributes));
    }

    public void leaveDirectory() throws IOException {
        if (path.isEmpty()) {
            throw new IllegalStateException("leaveDirectory without a matching enterDirectory");
        }
        Folder dir = path.pop();
        Attributes a = dir.attributes();
        writer.leaveFolder(tree -> withOwner(Node.dir(dir.name(), a.permissions(), a.mtime(), tree), a));
    }

    public void symlink(String name, Attributes attributes, String target) throws IOException {
        writer.link(name, withOwner(Node.symlink(name, attributes.mtime(), target), attributes));
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
    public Outcome file(String name, Attributes attributes, ContentOpener opener) throws IOException {
        Node before = writer.previous(name);
        if (before != null && before.isFile() && before.size() == attributes.size()
                && before.mtime() != null && before.mtime().equals(attributes.mtime()) && before.content() != null
                && stillStored(before.content())) {
            writer.file(name, CompletableFuture.completedFuture(fileNode(name, attributes, attributes.size(), before.content())),
                    attributes.size(), 0);
            return Outcome.UNCHANGED;
        }
        ContentStore.Stored stored;
        try (InputStream raw = opener.open()) {
            stored = content.store(raw);
        } catch (IOException | UncheckedIOException e) {
            writer.failed(name, attributes.size());
            String problem = name + ": " + e.getMessage();
            problems.add(problem);
            log.warn("left out of the snapshot: {}", problem);
            return Outcome.FAILED;
        }
        writer.file(name, stored.content().thenApply(ids -> fileNode(name, attributes, stored.size(), ids)),
                attributes.size(), stored.size());
        return before == null || !before.isFile() ? Outcome.NEW : Outcome.CHANGED;
    }

    /**
     * Whether the index still names every blob of an unchanged file: a scrub drops packs nobody
     * could repair, and then reading the file again is what stores its data anew (as restic does).
     */
    private boolean stillStored(List<app.threefold.format.Id> content) {
        return content.isEmpty()
                || repository.index().known(app.threefold.format.BlobType.DATA, content).size() == new java.util.HashSet<>(content).size();
    }

    private static Node fileNode(String name, Attributes a, long size, List<app.threefold.format.Id> content) {
        return withOwner(Node.file(name, a.permissions(), a.mtime(), size, content), a);
    }

    private static Node withOwner(Node n, Attributes a) {
        if (a.uid() == 0 && a.gid() == 0 && a.user() == null && a.group() == null && a.inode() == 0) {
            return n;
        }
        return new Node(n.name(), n.type(), n.mode(), n.mtime(), n.atime(), n.ctime(), a.uid(), a.gid(), a.user(), a.group(),
                a.inode(), n.deviceId(), n.size(), n.links(), n.linkTarget(), n.content(), n.subtree());
    }

    /**
     * Waits for every file, then lets the {@link SnapshotWriter} write the trees, packs and index
     * files, then the snapshot file, in that order, so the snapshot never names data that is not stored.
     */
    public Result commit(String hostname, String username, List<String> paths, List<String> tags) throws IOException {
        if (!path.isEmpty()) {
            throw new IllegalStateException(path.size() + " folders were entered but not left");
        }
        content.flush();
        writer.finish(tree -> Node.dir("root", 0755, null, tree));
        return Result.of(writer.save(paths, hostname, username, tags), problems);
    }

    /** The snapshot written, what it took, and the files left out with why. */
    public record Result(Snapshot snapshot, IngestStats stats, List<String> problems) {

        /** What the snapshot writer wrote, as sources report it. */
        public static Result of(SnapshotWriter.Written written, List<String> problems) {
            SnapshotWriter.Statistics s = written.statistics();
            return new Result(written.snapshot(), new IngestStats(s.filesNew(), s.filesChanged(), s.filesUnchanged(),
                    s.filesRemoved(), s.filesFailed(), s.dirs(), s.bytesRead(), s.bytesTotal(), s.bytesAdded(), s.duration()),
                    List.copyOf(problems));
        }
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
