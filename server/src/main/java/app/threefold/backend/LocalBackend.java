package app.threefold.backend;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A repository in a local folder (the NAS disk, a USB copy), laid out exactly as restic lays it
 * out: {@code config}, {@code keys/}, {@code locks/}, {@code snapshots/}, {@code index/} and
 * {@code data/00..ff/}. Objects are written to a {@code .tmp-} file beside their final name,
 * fsynced, then moved into place, so a crash leaves at most a temporary file that {@link #list}
 * never reports and {@link #cleanTemporaryFiles()} removes.
 */
public final class LocalBackend implements Backend {

    /** Prefix of in-flight files; never a valid object name, so {@link #list} skips them. */
    static final String TEMPORARY_PREFIX = ".tmp-";

    private static final int BUFFER_SIZE = 1 << 16;
    private static final HexFormat HEX = HexFormat.of();
    // Like restic: objects are immutable, so nobody needs to write them once they are in place.
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("r--------");
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path root;
    private final boolean posix;

    private LocalBackend(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Lays out a new, empty repository folder in {@code root} (creating it if needed). The caller
     * then saves the config and the first key. Fails if {@code root} already holds a config.
     */
    public static LocalBackend create(Path root) throws IOException {
        LocalBackend backend = new LocalBackend(root);
        Path config = backend.root.resolve(Handle.CONFIG.path());
        if (Files.exists(config, LinkOption.NOFOLLOW_LINKS)) {
            throw new RepositoryExistsException(backend.location());
        }
        backend.createDirectory(backend.root);
        for (FileType type : FileType.values()) {
            if (type != FileType.CONFIG) {
                backend.createDirectory(backend.root.resolve(type.folder()));
            }
        }
        Path data = backend.root.resolve(FileType.PACK.folder());
        for (int prefix = 0; prefix < 256; prefix++) {
            backend.createDirectory(data.resolve(HEX.toHexDigits((byte) prefix)));
        }
        return backend;
    }

    /** Opens an existing repository folder; fails if {@code root} has no {@code config}. */
    public static LocalBackend open(Path root) throws IOException {
        LocalBackend backend = new LocalBackend(root);
        if (!Files.isDirectory(backend.root)) {
            throw new NotARepositoryException(backend.location(), "the folder does not exist");
        }
        if (!Files.isRegularFile(backend.root.resolve(Handle.CONFIG.path()))) {
            throw new NotARepositoryException(backend.location(), "it has no config file");
        }
        return backend;
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public void save(Handle handle, InputStream data, long length) throws IOException {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        Path target = pathOf(handle);
        boolean replaceable = handle.type() == FileType.LOCK;
        if (!replaceable && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ObjectExistsException(handle, location());
        }
        Path temporary = writeTemporary(handle, target, data, length);
        try {
            if (replaceable) {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } else {
                moveIntoPlaceUnlessExists(handle, temporary, target);
            }
        } catch (IOException | RuntimeException e) {
            deleteAfterFailure(temporary, e);
            throw e;
        }
        syncDirectory(target.getParent());
    }

    /**
     * Puts {@code length} bytes in place under {@code handle} whether or not an object of that name
     * exists, in one rename: readers see the old object or the new one, never a part. Only a repair
     * calls it, with bytes already proven to hash to the object's name, so what it replaces is the
     * same object minus its damage.
     */
    public void replace(Handle handle, InputStream data, long length) throws IOException {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        Path target = pathOf(handle);
        Path temporary = writeTemporary(handle, target, data, length);
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteAfterFailure(temporary, e);
            throw e;
        }
        syncDirectory(target.getParent());
    }

    private Path writeTemporary(Handle handle, Path target, InputStream data, long length) throws IOException {
        Path temporary = target.resolveSibling(
                TEMPORARY_PREFIX + HEX.toHexDigits(ThreadLocalRandom.current().nextLong()));
        FileChannel channel = createFile(temporary);
        try (channel) {
            copyExactly(handle, data, length, channel);
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // Also on a full disk: nothing but complete objects may stay behind.
            deleteAfterFailure(temporary, e);
            throw e;
        }
        return temporary;
    }

    private FileChannel createFile(Path path) throws IOException {
        try {
            return FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    fileAttributes(FILE_MODE));
        } catch (NoSuchFileException e) {
            // Someone removed an empty data/xx folder; restic recreates it the same way.
            createDirectory(path.getParent());
            return FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    fileAttributes(FILE_MODE));
        }
    }

    private void copyExactly(Handle handle, InputStream data, long length, FileChannel channel) throws IOException {
        byte[] buffer = new byte[(int) Math.min(BUFFER_SIZE, Math.max(length, 1))];
        long remaining = length;
        while (remaining > 0) {
            int read = data.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (read < 0) {
                throw new EOFException("the data for " + handle.path() + " ended after " + (length - remaining)
                        + " of " + length + " bytes; nothing was saved, send the object again");
            }
            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
            while (chunk.hasRemaining()) {
                channel.write(chunk);
            }
            remaining -= read;
        }
        if (data.read() >= 0) {
            throw new IOException("the data for " + handle.path() + " is longer than the announced " + length
                    + " bytes; nothing was saved, send the object again with its real length");
        }
    }

    /**
     * {@code rename} replaces an existing file, so immutable objects are linked into place instead,
     * which fails if the name is taken even when two writers race (git stores loose objects the
     * same way). Filesystems without hard links (FAT on USB disks) fall back to a checked rename.
     */
    private void moveIntoPlaceUnlessExists(Handle handle, Path temporary, Path target) throws IOException {
        try {
            Files.createLink(target, temporary);
        } catch (FileAlreadyExistsException e) {
            throw new ObjectExistsException(handle, location());
        } catch (IOException | UnsupportedOperationException linkFailed) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new ObjectExistsException(handle, location());
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.delete(temporary);
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(pathOf(handle), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw missing(handle, e);
        }
        try {
            long size = channel.size();
            long end = length == 0 ? size : offset + length;
            if (offset > size || end > size) {
                throw new EOFException(handle.path() + " in " + location() + " has " + size
                        + " bytes; cannot read bytes " + offset + " to " + end
                        + "; the index may point past the end of a damaged or truncated object");
            }
            return new RangeInputStream(handle, channel, offset, end - offset);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException closeFailed) {
                e.addSuppressed(closeFailed);
            }
            throw e;
        }
    }

    @Override
    public long stat(Handle handle) throws IOException {
        try {
            return Files.readAttributes(pathOf(handle), BasicFileAttributes.class).size();
        } catch (NoSuchFileException e) {
            throw missing(handle, e);
        }
    }

    @Override
    public void list(FileType type, Consumer<ObjectInfo> each) throws IOException {
        switch (type) {
            case CONFIG -> {
                Long size = sizeIfPresent(pathOf(Handle.CONFIG));
                if (size != null) {
                    each.accept(new ObjectInfo(Handle.CONFIG, size));
                }
            }
            case PACK -> {
                for (Path folder : packFolders()) {
                    String prefix = folder.getFileName().toString();
                    // A pack in the wrong data/xx folder cannot be opened by its handle, so it is
                    // not reported as one; `threefold check` looks at the folders themselves.
                    listFolder(type, folder, name -> name.startsWith(prefix), each);
                }
            }
            default -> listFolder(type, root.resolve(type.folder()), name -> true, each);
        }
    }

    @Override
    public void remove(Handle handle) throws IOException {
        Files.deleteIfExists(pathOf(handle));
    }

    /**
     * Removes the temporary files that writers killed half way left behind. Call it only while no
     * {@link #save} runs, e.g. when the appliance starts; it would remove their files too.
     *
     * @return how many files were removed
     */
    public int cleanTemporaryFiles() throws IOException {
        List<Path> folders = new ArrayList<>();
        folders.add(root);
        for (FileType type : FileType.values()) {
            if (type != FileType.CONFIG) {
                folders.add(root.resolve(type.folder()));
            }
        }
        folders.addAll(packFolders());
        int removed = 0;
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, TEMPORARY_PREFIX + "*")) {
                for (Path file : files) {
                    if (Files.deleteIfExists(file)) {
                        removed++;
                    }
                }
            }
        }
        return removed;
    }

    @Override
    public String toString() {
        return "LocalBackend[" + root + "]";
    }

    private Path pathOf(Handle handle) {
        return root.resolve(handle.path());
    }

    private List<Path> packFolders() throws IOException {
        List<Path> folders = new ArrayList<>();
        Path data = root.resolve(FileType.PACK.folder());
        if (!Files.isDirectory(data)) {
            return folders;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(data,
                entry -> entry.getFileName().toString().matches("[0-9a-f]{2}") && Files.isDirectory(entry))) {
            entries.forEach(folders::add);
        }
        return folders;
    }

    private void listFolder(FileType type, Path folder, Predicate<String> accept,
                            Consumer<ObjectInfo> each) throws IOException {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!name.matches("[0-9a-f]{64}") || !accept.test(name)) {
                    continue;
                }
                Long size = sizeIfPresent(file);
                if (size != null) {
                    each.accept(new ObjectInfo(new Handle(type, name), size));
                }
            }
        }
    }

    /** The size of a regular file, or null if it is gone (removed while listing) or not a file. */
    private static Long sizeIfPresent(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() ? attributes.size() : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void createDirectory(Path directory) throws IOException {
        Files.createDirectories(directory, fileAttributes(DIRECTORY_MODE));
    }

    private FileAttribute<?>[] fileAttributes(Set<PosixFilePermission> mode) {
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)} : new FileAttribute<?>[0];
    }

    /** Makes the rename itself durable; without it a power cut may undo a completed save. */
    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteAfterFailure(Path temporary, Exception failure) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private NoSuchObjectException missing(Handle handle, NoSuchFileException cause) {
        NoSuchObjectException missing = new NoSuchObjectException(handle, location());
        missing.initCause(cause);
        return missing;
    }

    /** Exactly {@code length} bytes from {@code offset}, read with positional reads. */
    private static final class RangeInputStream extends InputStream {
        private final Handle handle;
        private final FileChannel channel;
        private long position;
        private long remaining;

        RangeInputStream(Handle handle, FileChannel channel, long offset, long length) {
            this.handle = handle;
            this.channel = channel;
            this.position = offset;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            if (remaining == 0) {
                return -1;
            }
            if (length == 0) {
                return 0;
            }
            int read = channel.read(ByteBuffer.wrap(buffer, offset, (int) Math.min(length, remaining)), position);
            if (read < 0) {
                throw new EOFException(handle.path() + " became shorter while it was read; "
                        + remaining + " bytes are missing");
            }
            position += read;
            remaining -= read;
            return read;
        }

        /**
         * One array of the exact size, filled with reads as large as the OS allows: the
         * inherited version reads 16 KiB at a time and copies the pieces together, which costs
         * a restore or a check an extra pass over every byte.
         */
        @Override
        public byte[] readNBytes(int length) throws IOException {
            if (length < 0) {
                throw new IllegalArgumentException("length must not be negative: " + length);
            }
            byte[] bytes = new byte[(int) Math.min(length, remaining)];
            int filled = 0;
            while (filled < bytes.length) {
                filled += read(bytes, filled, bytes.length - filled);
            }
            return bytes;
        }

        @Override
        public byte[] readAllBytes() throws IOException {
            if (remaining > Integer.MAX_VALUE - 8) {
                throw new OutOfMemoryError(handle.path() + " is too large to read into one array");
            }
            return readNBytes((int) remaining);
        }

        @Override
        public long skip(long n) {
            long skipped = Math.max(0, Math.min(n, remaining));
            position += skipped;
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, remaining);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
