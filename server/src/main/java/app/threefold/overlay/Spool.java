package app.threefold.overlay;

import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.restore.ContentReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The session's spool files and open handles: files written go to spool files in the session's
 * folder; a file whose handle the client closes replaces what was at its path and goes to
 * {@link Storing}, and a file never closed leaves the previous version in place. Reads come from
 * the spool until the file is stored, then from the repository.
 *
 * <p>Lookups and changes of the tree take the overlay's lock ({@code lock}); moving file bytes
 * does not, so one connection's slow read or write never holds up the device's others.
 */
final class Spool {
    /** Journals a change; called under the lock. */
    interface Recorder {
        void record(Op op) throws IOException;
    }

    private final Object lock;
    private final OverlayTree tree;
    private final Repository repository;
    private final Storing storing;
    private final Clock clock;
    private final Path dir;
    private final Recorder recorder;
    private int spoolSeq;

    Spool(Object lock, OverlayTree tree, Repository repository, Storing storing, Clock clock, Path dir, Recorder recorder) {
        this.lock = lock;
        this.tree = tree;
        this.repository = repository;
        this.storing = storing;
        this.clock = clock;
        this.dir = dir;
        this.recorder = recorder;
    }

    // ---- reading ---------------------------------------------------------------------------

    /** The size a client sees: a file being written grows with its spool. Under the lock. */
    static long size(OverlayNode n) {
        if (n.bytes instanceof OverlayNode.Writing w) {
            try {
                return Math.max(n.size, Files.size(w.spool()));
            } catch (IOException e) {
                return n.size;
            }
        }
        return n.size;
    }

    /**
     * Opens a file's bytes for reading. Under the lock. A file of this session reads from its
     * spool until the session commits, even once stored: its blobs may wait in a pack that is not
     * written (nor indexed) before the commit flushes it.
     */
    Overlay.ReadHandle openRead(OverlayNode n) throws IOException {
        return switch (n.bytes) {
            case OverlayNode.Writing w -> spoolReader(w.spool());
            case OverlayNode.Spooled s -> spoolReader(s.spool());
            case OverlayNode.InRepository r -> repositoryReader(r.content());
        };
    }

    private static Overlay.ReadHandle spoolReader(Path spool) throws IOException {
        FileChannel ch = FileChannel.open(spool, StandardOpenOption.READ);
        return new Overlay.ReadHandle() {
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

    private Overlay.ReadHandle repositoryReader(List<Id> content) {
        ContentReader reader = new ContentReader(repository, content);
        return new Overlay.ReadHandle() {
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

    /** An open being prepared: checked under the lock, its old bytes copied outside it. */
    private record Opening(OverlayNode dir, String name, Optional<Replaced> old, Path spoolFile, FileChannel channel) {
    }

    /** The file an open replaces, and where its bytes were when the open was checked. */
    private record Replaced(OverlayNode node, OverlayNode.Bytes bytes) {
    }

    /**
     * Opens a file for writing. Without {@code truncate} an existing file's bytes are copied into
     * the spool first (appends, resumed uploads, partial overwrites). That copy may read the whole
     * file from the repository, so it runs outside the lock; if the file was replaced meanwhile,
     * the open starts over on what is there now, as if the two had come one after the other.
     */
    SpoolWriter openWrite(List<String> path, boolean create, boolean truncate, boolean exclusive, int mode) throws IOException {
        while (true) {
            Opening o;
            Opener source;
            synchronized (lock) {
                o = prepare(path, create, truncate, exclusive, mode);
                if (o.old().isEmpty() || truncate) {
                    return publish(o, path, mode);
                }
                Replaced old = o.old().get();
                if (old.bytes() instanceof OverlayNode.InRepository stored) {
                    source = () -> repositoryReader(stored.content());
                } else {
                    // A spool is opened now, while it surely exists (a commit deletes stored ones).
                    Overlay.ReadHandle spooled = discardOnFailure(o, () -> openRead(old.node()));
                    source = () -> spooled;
                }
            }
            try (Overlay.ReadHandle from = source.open()) {
                copy(from, o.channel());
            } catch (IOException | RuntimeException e) {
                discard(o, e);
                throw e;
            }
            synchronized (lock) {
                if (unchanged(o, path)) {
                    return publish(o, path, mode);
                }
            }
            discard(o, null);
        }
    }

    private interface Opener {
        Overlay.ReadHandle open() throws IOException;
    }

    private static Overlay.ReadHandle discardOnFailure(Opening o, Opener opener) throws IOException {
        try {
            return opener.open();
        } catch (IOException | RuntimeException e) {
            discard(o, e);
            throw e;
        }
    }

    /** Whether the file is still the one whose bytes were copied, in the same place. Under the lock. */
    private boolean unchanged(Opening o, List<String> path) {
        try {
            Replaced old = o.old().orElseThrow();
            return tree.parentDir(path) == o.dir() && tree.children(o.dir()).get(o.name()) == old.node()
                    && old.node().bytes == old.bytes();
        } catch (IOException e) {
            // The folder is gone or changed kind: the next attempt reports why.
            return false;
        }
    }

    private static void discard(Opening o, Exception cause) throws IOException {
        try {
            o.channel().close();
            Files.deleteIfExists(o.spoolFile());
        } catch (IOException e) {
            if (cause == null) {
                throw e;
            }
            cause.addSuppressed(e);
        }
    }

    private static void copy(Overlay.ReadHandle from, FileChannel to) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        long pos = 0;
        int n;
        while ((n = from.read(pos, b.clear())) > 0) {
            b.flip();
            while (b.hasRemaining()) {
                to.write(b, pos + b.position());
            }
            pos += n;
        }
    }

    /** Checks the open and makes its spool file. Under the lock. */
    private Opening prepare(List<String> path, boolean create, boolean truncate, boolean exclusive, int mode) throws IOException {
        OverlayTree.refuseReadOnly(path);
        OverlayTree.refuseUnstorableName(path);
        OverlayNode folder = tree.parentDir(path);
        OverlayTree.refuseReadOnlyNode(folder);
        String name = path.get(path.size() - 1);
        if (folder == tree.root() && name.equals(Overlay.SNAPSHOTS)) {
            OverlayTree.refuseReadOnly(List.of(Overlay.SNAPSHOTS));
        }
        OverlayNode old = tree.children(folder).get(name);
        if (old != null && old.kind == Entry.Kind.SYMLINK) {
            if (tree.find(path, true).isEmpty()) {
                throw new NoSuchFileException(OverlayTree.show(path), null, "a link to nowhere");
            }
            throw new AccessDeniedException(OverlayTree.show(path), null,
                    "writing through a symbolic link is not supported; write to its target");
        }
        if (old != null && exclusive) {
            throw new FileAlreadyExistsException(OverlayTree.show(path));
        }
        if (old == null && !create) {
            throw new NoSuchFileException(OverlayTree.show(path));
        }
        if (old == null) {
            OverlayTree.refuseTooLong(path);
        }
        if (old != null && old.isDir()) {
            throw new FileSystemException(OverlayTree.show(path), null, "is a directory");
        }
        Path spoolFile = dir.resolve("spool-" + (++spoolSeq));
        FileChannel ch = FileChannel.open(spoolFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Opening(folder, name, Optional.ofNullable(old).map(n -> new Replaced(n, n.bytes)), spoolFile, ch);
    }

    /** Puts the file being written at its path. Under the lock. */
    private SpoolWriter publish(Opening o, List<String> path, int mode) throws IOException {
        OverlayNode n = new OverlayNode();
        n.parent = o.dir();
        n.name = o.name();
        n.kind = Entry.Kind.FILE;
        Optional<OverlayNode> old = o.old().map(Replaced::node);
        n.permissions = old.map(r -> r.permissions).orElse(mode & 07777);
        n.mtime = clock.instant();
        n.bytes = new OverlayNode.Writing(o.spoolFile(), old);
        n.base = old.map(r -> r.base).orElse(null);
        o.dir().children.put(o.name(), n);
        return new SpoolWriter(n, o.channel(), OverlayTree.show(path), o.channel().size());
    }

    /** Writes to a spool file at any offsets, from parallel requests. */
    final class SpoolWriter implements Overlay.WriteHandle {
        private final OverlayNode node;
        private final FileChannel spool;
        private final String display;
        /** The first write that failed; the file then never replaces what was at its path. */
        private volatile IOException failed;
        private boolean closed;
        /** The file's length, tracked here so that closing needs no I/O on an interrupted thread. */
        private final AtomicLong length;

        private SpoolWriter(OverlayNode node, FileChannel spool, String display, long length) {
            this.node = node;
            this.spool = spool;
            this.display = display;
            this.length = new AtomicLong(length);
        }

        /** The file being written, for a replay to give it the attributes it was closed with. */
        OverlayNode node() {
            return node;
        }

        @Override
        public int write(long position, ByteBuffer src) throws IOException {
            int n = src.remaining();
            long end = position + n;
            long grow = Math.max(0, end - length.get());
            int written = 0;
            try {
                storing.admit(grow, display);
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
                storing.grew(grow);
            }
            length.accumulateAndGet(end, Math::max);
            return written;
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            return spool.read(dst, position);
        }

        @Override
        public long size() {
            return length.get();
        }

        @Override
        public void truncate(long size) throws IOException {
            spool.truncate(size);
            length.set(Math.min(length.get(), size));
        }

        @Override
        public void close(boolean complete) throws IOException {
            synchronized (lock) {
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
                    throw new QuotaExceededException(display, storing.quota().total());
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

    /** The client closed the file: it replaces what was at its path and goes to storing. Under the lock. */
    private void finishWrite(OverlayNode n, long size) throws IOException {
        Path spoolFile = ((OverlayNode.Writing) n.bytes).spool();
        if (!n.mtimeSet) {
            n.mtime = clock.instant();
        }
        n.size = size;
        Optional<List<String>> path = n.path();
        if (path.isEmpty()) {
            // Removed while open: nothing to keep.
            n.bytes = new OverlayNode.InRepository(List.of());
            storing.dropped(size);
            Files.deleteIfExists(spoolFile);
            return;
        }
        n.touch();
        recorder.record(Op.put(path.get(), spoolFile.getFileName().toString(), n.permissions, n.mtime, size));
        n.bytes = new OverlayNode.Spooled(spoolFile, storing.store(spoolFile, size));
    }

    /** The write is given up: what it replaced comes back. Under the lock. */
    private void abandonWrite(OverlayNode n, long size) throws IOException {
        OverlayNode.Writing w = (OverlayNode.Writing) n.bytes;
        storing.dropped(size);
        Files.deleteIfExists(w.spool());
        if (n.parent != null && n.parent.listed && n.parent.children.get(n.name) == n) {
            if (w.replaces().isPresent()) {
                n.parent.children.put(n.name, w.replaces().get());
            } else {
                n.parent.children.remove(n.name);
            }
        }
    }
}
