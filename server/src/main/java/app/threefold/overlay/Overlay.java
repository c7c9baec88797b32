package app.threefold.overlay;

import app.threefold.chunker.Chunker;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.ingest.ContentDigests;
import app.threefold.ingest.ContentStore;
import app.threefold.ingest.IngestSession;
import app.threefold.ingest.IngestStats;
import app.threefold.ingest.RemovedFiles;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import app.threefold.restore.ContentReader;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import app.threefold.tree.NameCharset;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an SFTP session of a device sees and changes: the device's latest snapshot with this
 * session's changes on top. Files written go to spool files; a file whose handle the client
 * closes is chunked into the repository in the background, and a file never closed leaves the
 * previous version in place. {@link #commit} turns the whole into a new snapshot whose untouched
 * folders keep their tree ids. {@code /.snapshots/<UTC time>/} shows every snapshot of the
 * device, read-only.
 *
 * <p>Paths are lists of names below the device's root, already split and free of "." and "..";
 * nothing here can name anything outside the device's snapshots and its own spool folder.
 * Thread-safe: operations take the overlay's lock; reads and writes of file bytes do not.
 */
public final class Overlay {
    private static final Logger log = LoggerFactory.getLogger(Overlay.class);
    /** The read-only folder of older snapshots, at the root. */
    public static final String SNAPSHOTS = ".snapshots";
    private static final DateTimeFormatter SNAPSHOT_NAME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final int MAX_LINK_HOPS = 40;
    /** NAME_MAX of Linux file systems: a longer name could be stored but never restored to a disk. */
    static final int MAX_NAME_BYTES = 255;
    /**
     * The longest path a POSIX file system takes (Linux's PATH_MAX), in bytes of the path as the
     * device sees it ("/a/b"). It also bounds the depth: at most 2048 folders of one-byte names.
     */
    public static final int MAX_PATH_BYTES = 4096;
    private static final int IN_FLIGHT_MIB = 64;

    private final String device;
    private final Repository repository;
    private final BlobSaver saver;
    private final ContentDigests digests;
    private final ExecutorService storer;
    private final Clock clock;
    private final Journal journal;
    private final Quota quota;
    private final ContentStore content;
    /** Held for the whole session, so that a prune elsewhere waits instead of deleting what it stores. */
    private final RepositoryLock lock;
    private final RemovedFiles removed;
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong unstoredBytes = new AtomicLong();
    private final Backlog backlog;
    /** Closed files handed to storing that it has not started on: while there are any, it does not flush its batch. */
    private final AtomicInteger queued = new AtomicInteger();
    private final List<Op> ops = new ArrayList<>();
    private final List<CompletableFuture<List<Id>>> pending = new ArrayList<>();
    /** Of those, the ones still storing: what a write near the quota waits for. */
    private final Set<CompletableFuture<List<Id>>> unfinished = ConcurrentHashMap.newKeySet();
    private Snapshot base;
    private OverlayNode root;
    private int spoolSeq;
    private long bytesAddedBefore;
    private OverlayNode snapshotsNode;

    /** How much a device may still add to the repository, asked at every write. */
    public interface Quota {
        /** Bytes still allowed, counting what earlier sessions added; {@code Long.MAX_VALUE} for none. */
        long left();

        /** The device's whole quota, for messages and statvfs. */
        long total();

        Quota NONE = new Quota() {
            @Override
            public long left() {
                return Long.MAX_VALUE;
            }

            @Override
            public long total() {
                return 0;
            }
        };
    }

    Overlay(String device, Repository repository, BlobSaver saver, Chunker chunker, ContentDigests digests,
            ExecutorService storer, Clock clock, Journal journal, Quota quota, Backlog backlog, Snapshot base, RepositoryLock lock) {
        this.device = device;
        this.backlog = backlog;
        this.lock = lock;
        this.repository = repository;
        this.removed = new RemovedFiles(repository);
        this.saver = saver;
        this.content = new ContentStore(chunker, saver, digests, IN_FLIGHT_MIB);
        this.digests = digests;
        this.storer = storer;
        this.clock = clock;
        this.journal = journal;
        this.quota = quota;
        this.base = base;
        this.root = rootOf(base);
    }

    private OverlayNode rootOf(Snapshot s) {
        OverlayNode r = new OverlayNode();
        r.name = "";
        r.kind = Entry.Kind.DIRECTORY;
        r.permissions = 0755;
        r.mtime = s == null ? Instant.EPOCH : s.time();
        r.base = s == null ? null : Node.dir("root", 0755, s.time(), s.tree());
        if (s == null) {
            r.children = new LinkedHashMap<>();
        }
        return r;
    }

    public String device() {
        return device;
    }

    /** The snapshot this session builds on; null for a device's first session. */
    public synchronized Snapshot base() {
        return base;
    }

    /** Whether anything changed since the base (or the last checkpoint). */
    public synchronized boolean changed() {
        return root.changed;
    }

    /** Bytes written to spool files since the last checkpoint. */
    public long spooledBytes() {
        return spooled.get();
    }

    public Quota quota() {
        return quota;
    }

    /** Bytes of closed files that storing has not read yet. */
    long backlogBytes() {
        return backlog.bytes();
    }

    /**
     * Bytes this session has added to the repository so far, counting blobs in the pack still
     * being filled, so a quota holds to the blob rather than to the pack.
     */
    public long bytesAdded() {
        return saver.bytesSealed();
    }

    // ---- lookups ---------------------------------------------------------------------------

    private Map<String, OverlayNode> children(OverlayNode dir) throws IOException {
        if (dir.children == null) {
            Map<String, OverlayNode> m = new LinkedHashMap<>();
            if (dir.base != null && dir.base.subtree() != null) {
                for (Node n : TreeCodec.decode(repository.loadBlob(BlobType.TREE, dir.base.subtree()))) {
                    m.put(n.name(), OverlayNode.of(n, dir, dir.readOnly));
                }
            }
            dir.children = m;
        }
        return dir.children;
    }

    private static String show(List<String> path) {
        return "/" + String.join("/", path);
    }

    /** Bytes of the path as the device sees it: a slash before every name. */
    private static long pathBytes(List<String> path) {
        long n = 0;
        for (String name : path) {
            n += 1 + NameCharset.toBytes(name).length;
        }
        return Math.max(1, n);
    }

    private static void refuseTooLong(List<String> path) throws PathTooLongException {
        if (pathBytes(path) > MAX_PATH_BYTES) {
            throw new PathTooLongException(show(path));
        }
    }

    /**
     * Bytes of the longest path below a folder, relative to it ("/x/y"), walking at most until
     * {@code limit} is passed: what a folder moved deeper adds to its new path.
     */
    private long longestBelow(OverlayNode dir, long limit) throws IOException {
        long longest = 0;
        Deque<Map.Entry<OverlayNode, Long>> toVisit = new ArrayDeque<>();
        toVisit.push(Map.entry(dir, 0L));
        while (!toVisit.isEmpty() && longest <= limit) {
            var e = toVisit.pop();
            for (OverlayNode c : children(e.getKey()).values()) {
                long bytes = e.getValue() + 1 + NameCharset.toBytes(c.name).length;
                longest = Math.max(longest, bytes);
                if (c.isDir()) {
                    toVisit.push(Map.entry(c, bytes));
                }
            }
        }
        return longest;
    }

    /** The node at a path; the last name's link is followed only if asked. Null if absent. */
    private OverlayNode find(List<String> path, boolean followLast) throws IOException {
        return find(path, followLast, 0);
    }

    private OverlayNode find(List<String> path, boolean followLast, int hops) throws IOException {
        OverlayNode n = root;
        for (int i = 0; i < path.size(); i++) {
            String name = path.get(i);
            if (n.kind == Entry.Kind.SYMLINK) {
                n = followLink(n, path.subList(0, i), hops++);
                if (n == null) {
                    return null;
                }
            }
            if (!n.isDir()) {
                throw new NotDirectoryException(show(path.subList(0, i)));
            }
            OverlayNode next = n == root && name.equals(SNAPSHOTS) ? snapshotsFolder(false) : children(n).get(name);
            if (next == null) {
                return null;
            }
            n = next;
        }
        if (followLast && n.kind == Entry.Kind.SYMLINK) {
            return followLink(n, path.subList(0, path.size() - 1), hops);
        }
        return n;
    }

    private OverlayNode followLink(OverlayNode link, List<String> dirOfLink, int hops) throws IOException {
        if (hops >= MAX_LINK_HOPS) {
            throw new FileSystemLoopException(show(dirOfLink) + "/" + link.name);
        }
        // Targets resolve inside the device's root only: "/" is the device's root and ".." stops there.
        List<String> target = new ArrayList<>(link.linkTarget.startsWith("/") ? List.of() : dirOfLink);
        for (String part : link.linkTarget.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!target.isEmpty()) {
                    target.remove(target.size() - 1);
                }
            } else {
                target.add(part);
            }
        }
        return find(target, true, hops + 1);
    }

    /** The folder of snapshots: one read-only folder per snapshot of the device, named by its UTC time. */
    private OverlayNode snapshotsFolder(boolean refresh) throws IOException {
        if (snapshotsNode != null && !refresh) {
            return snapshotsNode;
        }
        OverlayNode f = new OverlayNode();
        f.name = SNAPSHOTS;
        f.kind = Entry.Kind.DIRECTORY;
        f.permissions = 0555;
        f.mtime = base == null ? Instant.EPOCH : base.time();
        f.readOnly = true;
        f.children = null;
        Map<String, Snapshot> byName = new LinkedHashMap<>();
        for (Snapshot s : new Snapshots(repository).list(device)) {
            String name = SNAPSHOT_NAME.format(s.time());
            if (byName.containsKey(name)) {
                name = name + "-" + s.id().shortHex();
            }
            byName.put(name, s);
        }
        Map<String, OverlayNode> children = new LinkedHashMap<>();
        for (var e : byName.entrySet()) {
            Snapshot s = e.getValue();
            // Keep folders already browsed, so a listing does not reload their trees.
            OverlayNode shown = snapshotsNode != null && snapshotsNode.children.get(e.getKey()) != null
                    ? snapshotsNode.children.get(e.getKey()) : new OverlayNode();
            shown.name = e.getKey();
            shown.kind = Entry.Kind.DIRECTORY;
            shown.permissions = 0555;
            shown.mtime = s.time();
            shown.readOnly = true;
            shown.base = Node.dir(e.getKey(), 0555, s.time(), s.tree());
            shown.parent = f;
            children.put(e.getKey(), shown);
        }
        f.children = children;
        snapshotsNode = f;
        return f;
    }

    private static boolean underSnapshots(List<String> path) {
        return !path.isEmpty() && path.get(0).equals(SNAPSHOTS);
    }

    private static void refuseReadOnly(List<String> path) throws AccessDeniedException {
        if (underSnapshots(path)) {
            throw new AccessDeniedException(show(path), null, "/" + SNAPSHOTS + " holds older snapshots and is read-only");
        }
    }

    private OverlayNode existing(List<String> path, boolean follow) throws IOException {
        OverlayNode n = find(path, follow);
        if (n == null) {
            throw new NoSuchFileException(show(path));
        }
        return n;
    }

    /** The folder that holds {@code path}'s last name, which must exist. */
    private OverlayNode parentDir(List<String> path) throws IOException {
        if (path.isEmpty()) {
            throw new AccessDeniedException("/", null, "the root folder cannot be replaced or removed");
        }
        OverlayNode dir = find(path.subList(0, path.size() - 1), true);
        if (dir == null) {
            throw new NoSuchFileException(show(path.subList(0, path.size() - 1)));
        }
        if (!dir.isDir()) {
            throw new NotDirectoryException(show(path.subList(0, path.size() - 1)));
        }
        return dir;
    }

    public synchronized Entry stat(List<String> path, boolean followLinks) throws IOException {
        OverlayNode n = existing(path, followLinks);
        Entry e = n.entry();
        if (n.writing && n.spool != null) {
            return new Entry(e.name(), e.kind(), Math.max(n.size, sizeOf(n.spool)), e.mtime(), e.permissions(), e.linkTarget());
        }
        return e;
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    public synchronized List<Entry> list(List<String> path) throws IOException {
        OverlayNode dir = existing(path, true);
        if (!dir.isDir()) {
            throw new NotDirectoryException(show(path));
        }
        List<Entry> out = new ArrayList<>();
        if (dir == root) {
            out.add(snapshotsFolder(true).entry());
        } else if (path.size() == 1 && underSnapshots(path)) {
            dir = snapshotsFolder(true);
        }
        for (OverlayNode n : children(dir).values()) {
            if (!(dir == root && n.name.equals(SNAPSHOTS))) {
                out.add(n.entry());
            }
        }
        return out;
    }

    public synchronized String readLink(List<String> path) throws IOException {
        OverlayNode n = existing(path, false);
        if (n.kind != Entry.Kind.SYMLINK) {
            throw new NotLinkException(show(path));
        }
        return n.linkTarget;
    }

    // ---- reading ---------------------------------------------------------------------------

    /** Random-access reads of a file's bytes. */
    public interface ReadHandle extends AutoCloseable {
        /**
         * Reads at {@code position}, possibly fewer bytes than {@code dst} has room for (a file in
         * the repository stops at each blob's end); -1 at the end.
         */
        int read(long position, ByteBuffer dst) throws IOException;

        long size() throws IOException;

        @Override
        void close() throws IOException;
    }

    public synchronized ReadHandle openRead(List<String> path) throws IOException {
        OverlayNode n = existing(path, true);
        if (n.isDir()) {
            throw new FileSystemException(show(path), null, "is a directory");
        }
        List<Id> content = n.content;
        if ((content == null || n.writing) && n.spool != null) {
            FileChannel ch = FileChannel.open(n.spool, StandardOpenOption.READ);
            return new ReadHandle() {
                @Override
                public int read(long position, ByteBuffer dst) throws IOException {
                    return ch.read(dst, position);
                }

                @Override
                public long size() throws IOException {
                    return ch.size();
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        }
        ContentReader reader = new ContentReader(repository, content == null ? List.of() : content);
        return new ReadHandle() {
            private final byte[] buf = new byte[256 * 1024];

            @Override
            public synchronized int read(long position, ByteBuffer dst) throws IOException {
                int len = Math.min(dst.remaining(), buf.length);
                int n = reader.read(position, buf, 0, len);
                if (n > 0) {
                    dst.put(buf, 0, n);
                }
                return n;
            }

            @Override
            public long size() {
                return reader.size();
            }

            @Override
            public void close() {
            }
        };
    }

    // ---- writing ---------------------------------------------------------------------------

    /** Writes to a spool file at any offsets, from parallel requests. */
    public final class WriteHandle implements AutoCloseable {
        private final OverlayNode node;
        private final FileChannel spool;
        private final String display;
        /** The first write that failed; the file then never replaces what was at its path. */
        private volatile IOException failed;
        private boolean closed;
        /** The file's length, tracked here so that closing needs no I/O on an interrupted thread. */
        private final AtomicLong length = new AtomicLong();

        private WriteHandle(OverlayNode node, FileChannel spool, String display) {
            this.node = node;
            this.spool = spool;
            this.display = display;
        }

        public int write(long position, ByteBuffer src) throws IOException {
            int n = src.remaining();
            long end = position + n;
            long grow = Math.max(0, end - length.get());
            int written = 0;
            try {
                if (grow > 0) {
                    backlog.awaitRoom();
                }
                if (grow > 0 && unstoredBytes.get() + grow > quota.left()) {
                    // Closed files waiting for storing count at their full size; stored, they count
                    // what they add after dedup and compression. Refuse only on that.
                    awaitStoring();
                    if (unstoredBytes.get() + grow > quota.left()) {
                        throw new QuotaExceededException(display, quota.total());
                    }
                }
                backlog.wrote();
                while (src.hasRemaining()) {
                    written += spool.write(src, position + written);
                }
            } catch (IOException e) {
                if (failed == null) {
                    failed = e;
                }
                throw e;
            }
            if (grow > 0) {
                unstoredBytes.addAndGet(grow);
                spooled.addAndGet(grow);
            }
            length.accumulateAndGet(end, Math::max);
            return written;
        }

        public int read(long position, ByteBuffer dst) throws IOException {
            return spool.read(dst, position);
        }

        public long size() {
            return length.get();
        }

        public void truncate(long size) throws IOException {
            spool.truncate(size);
            length.set(Math.min(length.get(), size));
        }

        /**
         * Ends the write. With {@code complete} (the client closed the handle) the file replaces
         * what was at its path; otherwise (connection lost, an earlier write failed) the previous
         * version stays and the spool is dropped.
         */
        public void close(boolean complete) throws IOException {
            synchronized (Overlay.this) {
                if (closed) {
                    return;
                }
                closed = true;
                long size = length.get();
                try {
                    spool.close();
                } catch (IOException e) {
                    complete = false;
                }
                if (complete && failed == null) {
                    finishWrite(node, size);
                } else {
                    abandonWrite(node, size);
                }
            }
            if (failed != null && complete) {
                if (failed instanceof QuotaExceededException) {
                    throw new QuotaExceededException(display, quota.total());
                }
                throw new IOException(display + ": a write failed (" + failed.getMessage() + "), so the previous version is kept;"
                        + " upload the file again", failed);
            }
        }

        @Override
        public void close() throws IOException {
            close(true);
        }
    }

    /**
     * Opens a file for writing. Without {@code truncate} an existing file's bytes are copied into
     * the spool first (appends, resumed uploads).
     */
    public synchronized WriteHandle openWrite(List<String> path, boolean create, boolean truncate, boolean exclusive, int mode)
            throws IOException {
        refuseReadOnly(path);
        refuseUnstorableName(path);
        OverlayNode dir = parentDir(path);
        refuseReadOnlyNode(dir, path);
        String name = path.get(path.size() - 1);
        if (dir == root && name.equals(SNAPSHOTS)) {
            refuseReadOnly(List.of(SNAPSHOTS));
        }
        OverlayNode old = children(dir).get(name);
        if (old != null && old.kind == Entry.Kind.SYMLINK) {
            OverlayNode target = find(path, true);
            if (target == null) {
                throw new NoSuchFileException(show(path), null, "a link to nowhere");
            }
            throw new AccessDeniedException(show(path), null, "writing through a symbolic link is not supported; write to its target");
        }
        if (old != null && exclusive) {
            throw new FileAlreadyExistsException(show(path));
        }
        if (old == null && !create) {
            throw new NoSuchFileException(show(path));
        }
        if (old == null) {
            refuseTooLong(path);
        }
        if (old != null && old.isDir()) {
            throw new FileSystemException(show(path), null, "is a directory");
        }
        Path spoolFile = journal.dir().resolve("spool-" + (++spoolSeq));
        FileChannel ch = FileChannel.open(spoolFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (old != null && !truncate) {
                try (ReadHandle r = openRead(path)) {
                    ByteBuffer b = ByteBuffer.allocate(1 << 20);
                    long pos = 0;
                    int n;
                    while ((n = r.read(pos, b.clear())) > 0) {
                        b.flip();
                        while (b.hasRemaining()) {
                            ch.write(b, pos + b.position());
                        }
                        pos += n;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(spoolFile);
            throw e;
        }
        OverlayNode n = new OverlayNode();
        n.parent = dir;
        n.name = name;
        n.kind = Entry.Kind.FILE;
        n.permissions = old != null ? old.permissions : (mode & 07777);
        n.mtime = clock.instant();
        n.spool = spoolFile;
        n.writing = true;
        n.previous = old;
        n.base = old == null ? null : old.base;
        dir.children.put(name, n);
        WriteHandle w = new WriteHandle(n, ch, show(path));
        w.length.set(ch.size());
        return w;
    }

    private static void refuseReadOnlyNode(OverlayNode n, List<String> path) throws AccessDeniedException {
        if (n.readOnly) {
            refuseReadOnly(List.of(SNAPSHOTS));
        }
    }

    private void finishWrite(OverlayNode n, long size) throws IOException {
        n.writing = false;
        if (!n.mtimeSet) {
            n.mtime = clock.instant();
        }
        n.previous = null;
        n.size = size;
        n.content = null;
        List<String> path = n.path();
        if (path == null) {
            // Removed while open: nothing to keep.
            unstoredBytes.addAndGet(-size);
            Files.deleteIfExists(n.spool);
            return;
        }
        n.touch();
        record(Op.put(path, n.spool.getFileName().toString(), n.permissions, n.mtime, size));
        store(n, size);
    }

    private void abandonWrite(OverlayNode n, long size) throws IOException {
        unstoredBytes.addAndGet(-size);
        Files.deleteIfExists(n.spool);
        if (n.parent != null && n.parent.children != null && n.parent.children.get(n.name) == n) {
            if (n.previous != null) {
                n.parent.children.put(n.name, n.previous);
            } else {
                n.parent.children.remove(n.name);
            }
        }
    }

    /**
     * Stores the closed files waiting now, without waiting for a pause in the upload. Needs no
     * lock, so a checkpoint calls it first and the session's other connections go on meanwhile.
     */
    void awaitStoring() throws InterruptedIOException {
        CompletableFuture<?>[] waiting = unfinished.toArray(CompletableFuture[]::new);
        if (waiting.length == 0) {
            return;
        }
        backlog.drain();
        try {
            // A file that failed to store fails the commit, which reports it; here only its end counts.
            CompletableFuture.allOf(waiting).handle((v, e) -> null).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for earlier uploads to be stored");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("handle() completes normally", e);
        } finally {
            backlog.endDrain();
        }
    }

    private void leaveBacklog(AtomicLong unread, long bytes) {
        long left = unread.getAndUpdate(u -> Math.max(0, u - bytes));
        backlog.read(Math.min(left, bytes));
    }

    /** Chunks a closed spool into the repository on the storer thread. */
    private void store(OverlayNode n, long size) {
        Path spoolFile = n.spool;
        backlog.add(size);
        AtomicLong unread = new AtomicLong(size);
        queued.incrementAndGet();
        // The storer thread only reads and cuts; hashing, compression, encryption and packing run on
        // the workers, so the next file's chunking overlaps with this one's saving.
        CompletableFuture<List<Id>> f = CompletableFuture.supplyAsync(() -> {
            queued.decrementAndGet();
            try {
                return chunk(spoolFile, unread);
            } catch (IOException e) {
                throw new UncheckedIOException("storing " + spoolFile.getFileName() + " failed: " + e.getMessage(), e);
            } finally {
                // Whatever was not read (a failure) leaves the backlog too.
                leaveBacklog(unread, Long.MAX_VALUE);
            }
        }, storer).thenCompose(c -> c).whenComplete((content, error) -> {
            unstoredBytes.addAndGet(-size);
            if (content != null && n.spool == spoolFile) {
                n.content = content;
            }
        });
        // The stage that sets the content is the one commits wait for.
        n.storing = f;
        pending.add(f);
        unfinished.add(f);
        f.whenComplete((content, error) -> unfinished.remove(f));
    }

    private CompletableFuture<List<Id>> chunk(Path spoolFile, AtomicLong unread) throws IOException {
        try (InputStream in = new FilterInputStream(Files.newInputStream(spoolFile)) {
            /** Only reads of bytes wait for their turn: the one that finds the end cuts the last chunk now. */
            private void awaitTurn() throws IOException {
                if (unread.get() > 0) {
                    backlog.awaitTurn();
                }
            }

            @Override
            public int read() throws IOException {
                awaitTurn();
                int b = super.read();
                if (b >= 0) {
                    leaveBacklog(unread, 1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                awaitTurn();
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    leaveBacklog(unread, n);
                }
                return n;
            }
        }) {
            return content.store(in).content();
        } finally {
            // With no file queued behind it, a closed file is saved now rather than when later files
            // fill its batch; while a burst drains, files share batches as in a folder backup. Also
            // after a failure: earlier files' chunks may wait in the batch.
            if (queued.get() == 0) {
                content.flush();
            }
        }
    }

    // ---- changing the tree -----------------------------------------------------------------

    /** The folder a new entry at {@code path} goes into, once it is clear the entry may be made there. */
    private OverlayNode folderForNew(List<String> path) throws IOException {
        refuseReadOnly(path);
        refuseUnstorableName(path);
        refuseTooLong(path);
        OverlayNode dir = parentDir(path);
        refuseReadOnlyNode(dir, path);
        String name = path.get(path.size() - 1);
        if (children(dir).containsKey(name) || (dir == root && name.equals(SNAPSHOTS))) {
            throw new FileAlreadyExistsException(show(path));
        }
        return dir;
    }

    /** Refuses a new name that a file system would refuse, as the device's own disk would. */
    private static void refuseUnstorableName(List<String> path) throws FileSystemException {
        if (path.isEmpty()) {
            return;
        }
        String name = path.get(path.size() - 1);
        if (!Node.validName(name)) {
            throw new FileSystemException(show(path), null, "not a valid file name");
        }
        if (NameCharset.toBytes(name).length > MAX_NAME_BYTES) {
            throw new FileSystemException(show(path), null, "File name too long (over " + MAX_NAME_BYTES + " bytes)");
        }
    }

    private void record(Op op) throws IOException {
        ops.add(op);
        journal.append(op);
    }

    public synchronized void mkdir(List<String> path, int mode) throws IOException {
        OverlayNode dir = folderForNew(path);
        String name = path.get(path.size() - 1);
        Instant now = clock.instant();
        OverlayNode n = new OverlayNode();
        n.parent = dir;
        n.name = name;
        n.kind = Entry.Kind.DIRECTORY;
        n.permissions = mode & 07777;
        n.mtime = now;
        n.children = new LinkedHashMap<>();
        dir.children.put(name, n);
        n.touch();
        record(Op.mkdir(path, n.permissions, now));
    }

    public synchronized void rmdir(List<String> path) throws IOException {
        refuseReadOnly(path);
        OverlayNode dir = parentDir(path);
        refuseReadOnlyNode(dir, path);
        OverlayNode n = children(dir).get(path.get(path.size() - 1));
        if (n == null) {
            throw new NoSuchFileException(show(path));
        }
        if (!n.isDir()) {
            throw new NotDirectoryException(show(path));
        }
        if (!children(n).isEmpty()) {
            throw new DirectoryNotEmptyException(show(path));
        }
        dir.children.remove(n.name);
        dir.touch();
        record(Op.rmdir(path));
    }

    public synchronized void remove(List<String> path) throws IOException {
        refuseReadOnly(path);
        OverlayNode dir = parentDir(path);
        refuseReadOnlyNode(dir, path);
        OverlayNode n = children(dir).get(path.get(path.size() - 1));
        if (n == null) {
            throw new NoSuchFileException(show(path));
        }
        if (n.isDir()) {
            throw new FileSystemException(show(path), null, "is a directory; use rmdir");
        }
        dir.children.remove(n.name);
        dir.touch();
        record(Op.remove(path));
    }

    /** Renames; with {@code replace} an existing file or empty folder at {@code to} is replaced (posix-rename). */
    public synchronized void rename(List<String> from, List<String> to, boolean replace) throws IOException {
        refuseReadOnly(from);
        refuseReadOnly(to);
        OverlayNode fromDir = parentDir(from);
        OverlayNode n = children(fromDir).get(from.get(from.size() - 1));
        if (n == null) {
            throw new NoSuchFileException(show(from));
        }
        OverlayNode toDir = parentDir(to);
        refuseUnstorableName(to);
        refuseReadOnlyNode(fromDir, from);
        refuseReadOnlyNode(toDir, to);
        String newName = to.get(to.size() - 1);
        if (toDir == root && newName.equals(SNAPSHOTS)) {
            refuseReadOnly(to);
        }
        if (n.isDir() && to.size() >= from.size() && to.subList(0, from.size()).equals(from)) {
            if (to.size() == from.size()) {
                return;
            }
            throw new FileSystemException(show(from), show(to), "a folder cannot move into itself");
        }
        OverlayNode existing = children(toDir).get(newName);
        if (existing == n) {
            return;
        }
        refuseTooLong(to);
        long grows = pathBytes(to) - pathBytes(from);
        if (n.isDir() && grows > 0 && pathBytes(to) + longestBelow(n, MAX_PATH_BYTES - pathBytes(to)) > MAX_PATH_BYTES) {
            throw new PathTooLongException(show(to) + "/…");
        }
        if (existing != null) {
            if (!replace) {
                throw new FileAlreadyExistsException(show(to));
            }
            if (existing.isDir() != n.isDir()) {
                throw new FileSystemException(show(from), show(to), existing.isDir() ? "is a directory" : "not a directory");
            }
            if (existing.isDir() && !children(existing).isEmpty()) {
                throw new DirectoryNotEmptyException(show(to));
            }
        }
        fromDir.children.remove(n.name);
        fromDir.touch();
        n.name = newName;
        n.parent = toDir;
        toDir.children.put(newName, n);
        toDir.touch();
        record(Op.rename(from, to, replace));
    }

    public synchronized void symlink(List<String> path, String target) throws IOException {
        OverlayNode dir = folderForNew(path);
        String name = path.get(path.size() - 1);
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new FileSystemException(show(path), target, "not a usable link target");
        }
        Instant now = clock.instant();
        OverlayNode n = new OverlayNode();
        n.parent = dir;
        n.name = name;
        n.kind = Entry.Kind.SYMLINK;
        n.permissions = 0777;
        n.mtime = now;
        n.linkTarget = target;
        dir.children.put(name, n);
        n.touch();
        record(Op.symlink(path, target, now));
    }

    /** Sets permissions and/or mtime (null leaves either as it is). */
    public synchronized void setAttributes(List<String> path, Integer mode, Instant mtime) throws IOException {
        refuseReadOnly(path);
        OverlayNode n = existing(path, true);
        if (n.readOnly) {
            refuseReadOnly(List.of(SNAPSHOTS));
        }
        boolean same = (mode == null || (mode & 07777) == n.permissions) && (mtime == null || mtime.equals(n.mtime));
        if (same) {
            return;
        }
        if (mode != null && n.kind != Entry.Kind.SYMLINK) {
            n.permissions = mode & 07777;
        }
        if (mtime != null) {
            n.mtime = mtime;
            n.mtimeSet = true;
        }
        if (n == root) {
            return;
        }
        n.touch();
        List<String> at = n.path();
        if (!n.writing && at != null) {
            record(Op.setAttributes(at, mode, mtime));
        }
    }

    // ---- replay ----------------------------------------------------------------------------

    /** Redoes journaled changes; a change that no longer applies is skipped and logged. */
    synchronized void replay(java.util.Iterator<Op> changes, Path spoolDir) throws IOException {
        long skipped = 0;
        while (changes.hasNext()) {
            Op op = changes.next();
            try {
                apply(op, spoolDir);
            } catch (IOException | RuntimeException e) {
                // A journal of thousands of refused changes must not flood the log with them.
                if (++skipped <= 10) {
                    String at = op.path() == null ? "" : PathTooLongException.abbreviated(show(op.path()));
                    log.warn("device {}: skipped {} {} on replay: {}", device, op.op(), at, e.getMessage());
                }
            }
        }
        if (skipped > 10) {
            log.warn("device {}: skipped {} changes in all on replay", device, skipped);
        }
    }

    private void apply(Op op, Path spoolDir) throws IOException {
        switch (op.op()) {
            case "put" -> {
                Path from = spoolDir.resolve(op.spool());
                if (!Files.exists(from)) {
                    throw new NoSuchFileException(from.toString(), null, "its spool file is gone");
                }
                // Neither spool nor journal is synced at close (a crash of the process loses nothing):
                // after a power cut the journal line may have outlived part of the spool, and a short
                // file must not replace the previous version.
                if (op.size() != null && Files.size(from) != op.size()) {
                    throw new FileSystemException(from.toString(), null, "its spool file holds " + Files.size(from)
                            + " of the " + op.size() + " bytes uploaded (cut short by a power loss?)");
                }
                WriteHandle w = openWrite(op.path(), true, true, false, op.mode());
                try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ)) {
                    ByteBuffer b = ByteBuffer.allocate(1 << 20);
                    long pos = 0;
                    while (in.read(b.clear(), pos) > 0) {
                        b.flip();
                        int n = b.remaining();
                        w.write(pos, b);
                        pos += n;
                    }
                }
                w.node.mtime = op.mtime();
                w.node.mtimeSet = true;
                w.node.permissions = op.mode();
                w.close(true);
            }
            case "mkdir" -> {
                mkdir(op.path(), op.mode());
                find(op.path(), false).mtime = op.mtime();
            }
            case "rmdir" -> rmdir(op.path());
            case "remove" -> remove(op.path());
            case "rename" -> rename(op.path(), op.to(), Boolean.TRUE.equals(op.replace()));
            case "symlink" -> symlink(op.path(), op.target());
            case "setattr" -> setAttributes(op.path(), op.mode(), op.mtime());
            default -> throw new IllegalArgumentException("unknown journal entry " + op.op());
        }
    }

    /** Waits until every closed file is stored. */
    synchronized void commitPending() throws IOException {
        awaitStored();
    }

    private void awaitStored() throws IOException {
        backlog.drain();
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw new IOException("storing an uploaded file failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            backlog.endDrain();
        }
    }

    synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    Journal journal() {
        return journal;
    }

    // ---- commit ----------------------------------------------------------------------------

    /**
     * Writes this session's view as a snapshot of the device (nothing if nothing changed) and
     * makes it the new base. Files still open for writing keep their previous version.
     */
    public synchronized Optional<IngestSession.Result> commit(List<String> tags) throws IOException {
        Instant started = clock.instant();
        awaitStored();
        pending.clear();
        if (!root.changed) {
            return Optional.empty();
        }
        Counts counts = new Counts();
        Map<OverlayNode, List<Node>> written = new java.util.IdentityHashMap<>();
        Node top = build(root, counts, root.base, written);
        saver.flush();
        digests.flush();
        if (base != null && top.subtree().equals(base.tree())) {
            // Re-uploaded as it was (same bytes, same times): nothing to record.
            settle(root, top, written);
            ops.clear();
            spooled.set(0);
            return Optional.empty();
        }
        lock.ensureHeld();
        Snapshot snapshot = new Snapshots(repository).save(new Snapshot(null, clock.instant(),
                base == null ? null : base.id(), top.subtree(), List.of("/"), device, device, tags));
        long added = saver.bytesAdded() - bytesAddedBefore;
        bytesAddedBefore = saver.bytesAdded();
        IngestStats stats = new IngestStats(counts.filesNew, counts.filesChanged, counts.filesUnchanged, counts.filesRemoved, 0,
                counts.dirs,
                counts.bytesRead, counts.bytes, added, Duration.between(started, clock.instant()));
        settle(root, top, written);
        base = snapshot;
        ops.clear();
        spooled.set(0);
        journal.restart(device, snapshot.id().hex());
        return Optional.of(new IngestSession.Result(snapshot, stats, List.of()));
    }

    private static final class Counts {
        long filesNew;
        long filesChanged;
        long filesUnchanged;
        long filesRemoved;
        long dirs;
        long bytes;
        long bytesRead;
    }

    /** A folder being built: its entries so far, and what the base snapshot had at its path. */
    private static final class Building {
        final OverlayNode node;
        /** The name it gets in its parent's tree (a moved node's own name may lag behind). */
        final String name;
        final Node was;
        final Map<String, Node> before;
        final java.util.Iterator<OverlayNode> children;
        final List<Node> nodes = new ArrayList<>();

        Building(OverlayNode node, String name, Node was, Map<String, Node> before, java.util.Iterator<OverlayNode> children) {
            this.node = node;
            this.name = name;
            this.was = was;
            this.before = before;
            this.children = children;
        }

        void add(String childName, Node built) {
            if (built != null) {
                nodes.add(built.name().equals(childName) ? built : built.withName(childName));
            }
        }
    }

    /**
     * The node to write for {@code top}: unchanged ones as they were, changed folders re-encoded,
     * deepest first. A loop over an explicit stack rather than recursion: a device may send a tree
     * thousands of folders deep. Each changed folder's entries are kept in {@code written} so that
     * {@link #settle} need not read back the trees just saved. {@code was} is what the base
     * snapshot has at a node's path (it may have been moved there), for counting the files that are gone.
     */
    private Node build(OverlayNode top, Counts counts, Node topWas, Map<OverlayNode, List<Node>> written) throws IOException {
        Deque<Building> stack = new ArrayDeque<>();
        Node result = visit(top, "root", topWas, counts, stack);
        while (!stack.isEmpty()) {
            Building f = stack.peek();
            if (f.children.hasNext()) {
                OverlayNode c = f.children.next();
                int depth = stack.size();
                Node built = visit(c, c.name, f.before.get(c.name), counts, stack);
                if (stack.size() == depth) {
                    f.add(c.name, built);
                }
                continue;
            }
            stack.pop();
            Set<String> kept = new java.util.HashSet<>();
            f.nodes.forEach(n -> kept.add(n.name()));
            for (Node gone : f.before.values()) {
                if (!kept.contains(gone.name())) {
                    counts.filesRemoved += removed.filesIn(gone);
                }
            }
            counts.dirs++;
            Id tree = saver.saveTree(TreeCodec.encode(f.nodes));
            written.put(f.node, f.nodes);
            Node done = Node.dir(f.node == root ? "root" : f.node.name, f.node.permissions, f.node.mtime, tree);
            if (stack.isEmpty()) {
                return done;
            }
            stack.peek().add(f.name, done);
        }
        return result;
    }

    /** Builds a node that needs no folder of its own re-encoded; a changed folder is pushed instead (returns null). */
    private Node visit(OverlayNode n, String name, Node was, Counts counts, Deque<Building> stack) throws IOException {
        while (n.writing) {
            if (n.previous == null) {
                return null;
            }
            n = n.previous;
        }
        if (!n.changed && n.base != null && n != root) {
            count(n.base, counts);
            counts.filesRemoved += removed.between(was, n.base);
            return n.base;
        }
        String own = n == root ? "root" : n.name;
        switch (n.kind) {
            case DIRECTORY -> {
                if (was != null && !was.isDir()) {
                    counts.filesRemoved += removed.filesIn(was);
                }
                Map<String, Node> before = was != null && was.isDir() ? removed.entries(was) : Map.of();
                stack.push(new Building(n, name, was, before, new ArrayList<>(children(n).values()).iterator()));
                return null;
            }
            case SYMLINK -> {
                counts.filesRemoved += removed.filesIn(was);
                return Node.symlink(own, n.mtime, n.linkTarget);
            }
            default -> {
                if (was != null && !was.isFile()) {
                    counts.filesRemoved += removed.filesIn(was);
                }
                List<Id> content = n.content;
                if (content == null) {
                    throw new IllegalStateException(own + " has no stored content");
                }
                counts.bytes += n.size;
                if (n.spool != null) {
                    counts.bytesRead += n.size;
                }
                // By path and content, as Compare judges two snapshots: a file sent again with the
                // same bytes (rclone re-sends when only the time differs) is unchanged.
                if (was == null || !was.isFile()) {
                    counts.filesNew++;
                } else if (was.size() == n.size && content.equals(was.content())) {
                    counts.filesUnchanged++;
                } else {
                    counts.filesChanged++;
                }
                return Node.file(own, n.permissions, n.mtime, n.size, content);
            }
        }
    }

    private void count(Node top, Counts counts) throws IOException {
        Deque<Node> toVisit = new ArrayDeque<>();
        toVisit.push(top);
        while (!toVisit.isEmpty()) {
            Node n = toVisit.pop();
            if (n.isFile()) {
                counts.filesUnchanged++;
                counts.bytes += n.size();
            } else if (n.isDir() && n.subtree() != null) {
                counts.dirs++;
                TreeCodec.decode(repository.loadBlob(BlobType.TREE, n.subtree())).forEach(toVisit::push);
            }
        }
    }

    /** After a commit: every node now matches the snapshot just written. */
    private void settle(OverlayNode top, Node topWritten, Map<OverlayNode, List<Node>> written) throws IOException {
        Deque<Map.Entry<OverlayNode, Node>> toVisit = new ArrayDeque<>();
        toVisit.push(new java.util.AbstractMap.SimpleEntry<>(top, topWritten));
        while (!toVisit.isEmpty()) {
            var e = toVisit.pop();
            OverlayNode n = e.getKey();
            Node w = e.getValue();
            if (n.writing) {
                continue;
            }
            if (w != null) {
                n.base = w;
            }
            if (!n.changed) {
                continue;
            }
            n.changed = false;
            if (n.spool != null) {
                Files.deleteIfExists(n.spool);
                n.spool = null;
                n.storing = null;
            }
            if (n.isDir() && n.children != null && w != null && w.subtree() != null) {
                List<Node> entries = written.get(n);
                if (entries == null) {
                    entries = TreeCodec.decode(repository.loadBlob(BlobType.TREE, w.subtree()));
                }
                Map<String, Node> byName = new HashMap<>();
                for (Node c : entries) {
                    byName.put(c.name(), c);
                }
                for (OverlayNode c : n.children.values()) {
                    toVisit.push(new java.util.AbstractMap.SimpleEntry<>(c, byName.get(c.name)));
                }
            }
        }
    }

    /** Stops background work; the journal folder stays unless the caller deletes it. */
    synchronized void close() throws IOException {
        // After a commit nothing is left to store. Without one (it failed), the journal is replayed at
        // the next start: storing what is queued would only pack blobs after the lock is released.
        storer.shutdownNow();
        try {
            saver.close();
            journal.close();
        } finally {
            lock.close();
        }
    }
}
