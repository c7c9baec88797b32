package app.threefold.restore;

import app.threefold.ThreefoldException;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.index.BlobLocation;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.tree.NameCharset;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import app.threefold.tree.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores a snapshot's tree, or a part of it, into a folder: contents, modes, mtimes and
 * symbolic links. Files are written by the worker pool; a large file is cut into segments that
 * are written in parallel at their offsets. Every blob is checked (MAC and SHA-256) as it is read.
 */
public final class Restorer {
    /** Blobs per task: large files are restored by several workers at once. */
    private static final int SEGMENT_BLOBS = 16;

    private final Repository repository;
    /** Where paths are resolved: the engine's tree cache when the panel restores, so browsing and restoring agree. */
    private final Trees trees;
    private final ExecutorService workers;
    /** Files open for writing at once: bounds file descriptors and the futures held for a tree. */
    private final java.util.concurrent.Semaphore openFiles = new java.util.concurrent.Semaphore(64);
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    public Restorer(Repository repository, ExecutorService workers) {
        this(repository, tree -> TreeCodec.decode(repository.loadBlob(BlobType.TREE, tree)), workers);
    }

    /** A restorer that resolves paths through {@code trees}. */
    public Restorer(Repository repository, Trees trees, ExecutorService workers) {
        this.repository = repository;
        this.trees = trees;
        this.workers = workers;
    }

    /** Bytes of the files restored completely so far; other threads may read it for progress. */
    public long bytesRestored() {
        return bytes.get();
    }

    /** Totals of one restore. */
    public record Summary(long files, long bytes) {
    }

    /**
     * Restores the tree {@code root} into {@code target}, which must be empty or missing.
     * {@code subpath} ("" for all) selects a folder or file inside the tree.
     */
    public Summary restore(Id root, String subpath, Path target) throws IOException {
        Files.createDirectories(target);
        try (var entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new RepositoryException(ThreefoldException.Kind.REFUSED, "the restore target " + target + " is not empty; choose an empty or new folder");
            }
        }
        Node selected = null;
        Id tree = root;
        if (!subpath.isEmpty() && !subpath.equals("/")) {
            selected = resolve(root, subpath);
            tree = selected.isDir() ? selected.subtree() : null;
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        List<Runnable> dirTimes = new ArrayList<>();
        if (tree == null) {
            // A single file lands inside the target folder under its own name, as a folder's entries do.
            restoreNode(selected, child(target, selected.name()), pending, dirTimes);
        } else {
            restoreTree(tree, target, pending, dirTimes);
        }
        await(pending);
        // Folder times last, as writing into a folder changes its mtime; the list is in
        // post-order, so a folder is sealed (mode, time) only after everything inside it.
        dirTimes.forEach(Runnable::run);
        return new Summary(files.get(), bytes.get());
    }

    /**
     * Restores several entries of the tree {@code root} side by side into {@code target}, which must
     * be empty or missing: each selected file or folder lands under its own name, as the admin saw
     * it in the listing. The entries must have distinct names.
     */
    public Summary restore(Id root, List<String> subpaths, Path target) throws IOException {
        Files.createDirectories(target);
        try (var entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new RepositoryException(ThreefoldException.Kind.REFUSED, "the restore target " + target + " is not empty; choose an empty or new folder");
            }
        }
        List<Node> selected = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String subpath : subpaths) {
            Node n = resolve(root, subpath);
            if (n == null) {
                throw new RepositoryException(ThreefoldException.Kind.BAD_REQUEST, "restore the whole snapshot on its own, not beside other entries");
            }
            if (!names.add(n.name())) {
                throw new RepositoryException(ThreefoldException.Kind.BAD_REQUEST, "two selected entries are both named " + NameCharset.printable(n.name())
                        + "; restore them one at a time into different folders");
            }
            selected.add(n);
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        List<Runnable> dirTimes = new ArrayList<>();
        for (Node n : selected) {
            restoreNode(n, child(target, n.name()), pending, dirTimes);
        }
        await(pending);
        dirTimes.forEach(Runnable::run);
        return new Summary(files.get(), bytes.get());
    }

    private static void await(List<CompletableFuture<Void>> pending) throws IOException {
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        }
    }

    /** Finds the node at a '/'-separated path below a tree; null for the tree itself ("" or "/"). */
    public Node resolve(Id root, String subpath) throws IOException {
        List<String> names = new ArrayList<>();
        for (String part : subpath.split("/")) {
            if (!part.isEmpty()) {
                names.add(part);
            }
        }
        Node found = trees.find(root, names);
        if (found == null && !names.isEmpty()) {
            throw new RepositoryException(ThreefoldException.Kind.NOT_FOUND, subpath + " is not in the snapshot");
        }
        return found;
    }

    /** A folder being restored: its entries not yet restored, and its own node (null for the target). */
    private record Folder(Node node, Path at, java.util.Iterator<Node> entries) {
    }

    /**
     * Restores a tree depth first; a folder's mode and time are queued after everything inside it.
     * A loop over an explicit stack, not recursion: a tree may be 2,048 folders deep.
     */
    private void restoreTree(Id tree, Path dir, List<CompletableFuture<Void>> pending, List<Runnable> dirTimes) throws IOException {
        java.util.Deque<Folder> stack = new java.util.ArrayDeque<>();
        stack.push(new Folder(null, dir, TreeCodec.decode(repository.loadBlob(BlobType.TREE, tree)).iterator()));
        while (!stack.isEmpty()) {
            Folder f = stack.peek();
            if (!f.entries().hasNext()) {
                stack.pop();
                if (f.node() != null) {
                    dirTimes.add(() -> setMetadata(f.at(), f.node()));
                }
                continue;
            }
            Node n = f.entries().next();
            Path at = child(f.at(), n.name());
            if (n.isDir()) {
                checkInside(at);
                Files.createDirectories(at);
                stack.push(new Folder(n, at, n.subtree() == null ? java.util.Collections.emptyIterator()
                        : TreeCodec.decode(repository.loadBlob(BlobType.TREE, n.subtree())).iterator()));
            } else {
                restoreNode(n, at, pending, dirTimes);
            }
        }
    }

    /** Restores one node; a folder's contents through {@link #restoreTree}. */
    private void restoreNode(Node n, Path at, List<CompletableFuture<Void>> pending, List<Runnable> dirTimes) throws IOException {
        checkInside(at);
        if (n.isDir()) {
            Files.createDirectories(at);
            if (n.subtree() != null) {
                restoreTree(n.subtree(), at, pending, dirTimes);
            }
            dirTimes.add(() -> setMetadata(at, n));
        } else if (n.isSymlink()) {
            Files.createSymbolicLink(at, Path.of(n.linkTarget() == null ? "" : n.linkTarget()));
            Files.getFileAttributeView(at, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(n.mtime()), null, null);
        } else if (n.isFile()) {
            pending.add(restoreFile(n, at));
        }
    }

    /**
     * Where an entry goes. Java names files by strings that must be UTF-8 here, so a name holding
     * other bytes cannot be written; rather than write it under another name, which another entry
     * might have, the restore stops and says how to get the file.
     */
    private static Path child(Path dir, String name) {
        if (NameCharset.hasRawBytes(name)) {
            throw new RepositoryException(ThreefoldException.Kind.REFUSED, dir.resolve(NameCharset.printable(name)) + ": the name is not UTF-8 text,"
                    + " which Threefold cannot write to a disk; download it over SFTP from /.snapshots, or restore it"
                    + " with restic (see the recovery kit), which keep such names byte for byte");
        }
        return dir.resolve(name);
    }

    private static void checkInside(Path at) {
        String name = at.getFileName().toString();
        if (name.equals("..") || name.equals(".") || name.contains("/")) {
            throw new RepositoryException(ThreefoldException.Kind.REFUSED, "refusing to restore an entry named \"" + name + "\" outside the target");
        }
    }

    private CompletableFuture<Void> restoreFile(Node n, Path at) throws IOException {
        List<Id> content = n.content();
        openFiles.acquireUninterruptibly();
        FileChannel ch;
        try {
            ch = FileChannel.open(at, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            openFiles.release();
            throw new RepositoryException(ThreefoldException.Kind.REFUSED, at + " exists already; restore into an empty folder", e);
        } catch (IOException | RuntimeException e) {
            openFiles.release();
            throw e;
        }
        try {
            return writeFile(n, at, content, ch);
        } catch (RuntimeException e) {
            ch.close();
            openFiles.release();
            throw e;
        }
    }

    private CompletableFuture<Void> writeFile(Node n, Path at, List<Id> content, FileChannel ch) {
        List<CompletableFuture<Void>> segments = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < content.size(); i += SEGMENT_BLOBS) {
            List<Id> part = content.subList(i, Math.min(content.size(), i + SEGMENT_BLOBS));
            List<BlobLocation> where = new ArrayList<>(part.size());
            long length = 0;
            for (Id id : part) {
                BlobLocation loc = repository.locate(BlobType.DATA, id).orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.DAMAGED, 
                        "data blob " + id.shortHex() + " of " + n.name() + " is not in the index; the repository is damaged: run `threefold check`"));
                where.add(loc);
                length += loc.plaintextLength();
            }
            long at0 = offset;
            segments.add(CompletableFuture.runAsync(() -> writeSegment(ch, at0, part, where), workers));
            offset += length;
        }
        long size = offset;
        return CompletableFuture.allOf(segments.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            openFiles.release();
            try {
                ch.close();
            } catch (IOException closeFailure) {
                throw new UncheckedIOException(closeFailure);
            }
        }).thenRun(() -> {
            setMetadata(at, n);
            files.incrementAndGet();
            bytes.addAndGet(size);
        });
    }

    /**
     * Writes a run of blobs at {@code offset}. Blobs that lie back to back in one pack (as a
     * fresh backup stores a file) are fetched with one read instead of one each.
     */
    private void writeSegment(FileChannel ch, long offset, List<Id> ids, List<BlobLocation> where) {
        try {
            long pos = offset;
            int i = 0;
            while (i < ids.size()) {
                BlobLocation first = where.get(i);
                int j = i + 1;
                long end = (long) first.offset() + first.length();
                while (j < ids.size() && where.get(j).pack().equals(first.pack()) && where.get(j).offset() == end) {
                    end += where.get(j).length();
                    j++;
                }
                byte[] run;
                try (var in = repository.backend().open(
                        new Handle(FileType.PACK, first.pack().hex()), first.offset(), end - first.offset())) {
                    run = in.readNBytes((int) (end - first.offset()));
                }
                for (int k = i; k < j; k++) {
                    BlobLocation at = where.get(k);
                    byte[] plain = repository.decodeBlob(ids.get(k), at.pack(), run, at.offset() - first.offset(), at.length(),
                            at.uncompressedLength());
                    ByteBuffer buf = ByteBuffer.wrap(plain);
                    while (buf.hasRemaining()) {
                        pos += ch.write(buf, pos);
                    }
                }
                i = j;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void setMetadata(Path at, Node n) {
        try {
            Files.setPosixFilePermissions(at, permissions(n.permissions()));
            if (n.mtime() != null) {
                Files.setLastModifiedTime(at, FileTime.from(n.mtime()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("setting the mode or time of " + at + " failed: " + e.getMessage(), e);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                set.add(p);
            }
        }
        return set;
    }
}
