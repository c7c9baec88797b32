package app.threefold.sshd;

import app.threefold.overlay.Entry;
import app.threefold.overlay.Overlay;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** java.nio over a device's overlay, so that MINA's SFTP subsystem serves it unchanged. */
final class DeviceFileSystemProvider extends FileSystemProvider {

    private static DevicePath device(Path p) {
        if (p instanceof DevicePath d) {
            return d;
        }
        throw new ProviderMismatchException("not a device path: " + p);
    }

    private static Overlay overlay(Path p) {
        return device(p).getFileSystem().overlay();
    }

    private static List<String> names(Path p) {
        return device(p).names();
    }

    private static boolean follow(LinkOption... options) {
        return !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public String getScheme() {
        return "threefold-device";
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
        throw new UnsupportedOperationException("device file systems come from the SFTP server");
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        throw new UnsupportedOperationException("device file systems come from the SFTP server");
    }

    @Override
    public Path getPath(URI uri) {
        throw new UnsupportedOperationException("device file systems come from the SFTP server");
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        return newFileChannel(path, options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        Overlay o = overlay(path);
        List<String> names = names(path);
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        if (!write) {
            return new OverlayFileChannel(o.openRead(names), null);
        }
        int mode = 0644;
        for (FileAttribute<?> a : attrs) {
            if (a.value() instanceof Set<?> perms && a.name().endsWith("permissions")) {
                mode = modeOf(perms);
            }
        }
        boolean createNew = options.contains(StandardOpenOption.CREATE_NEW);
        Overlay.WriteHandle w = o.openWrite(names, createNew || options.contains(StandardOpenOption.CREATE),
                options.contains(StandardOpenOption.TRUNCATE_EXISTING), createNew, mode);
        return new OverlayFileChannel(null, w);
    }

    @SuppressWarnings("unchecked")
    private static int modeOf(Set<?> perms) {
        int mode = 0;
        for (PosixFilePermission p : (Set<PosixFilePermission>) perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }

    private static Set<PosixFilePermission> permissionsOf(int mode) {
        Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        List<Path> paths = new ArrayList<>();
        for (Entry e : overlay(dir).list(names(dir))) {
            Path p = dir.resolve(e.name());
            if (filter == null || filter.accept(p)) {
                paths.add(p);
            }
        }
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                return paths.iterator();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        int mode = 0755;
        for (FileAttribute<?> a : attrs) {
            if (a.value() instanceof Set<?> perms && a.name().endsWith("permissions")) {
                mode = modeOf(perms);
            }
        }
        overlay(dir).mkdir(names(dir), mode);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        overlay(link).symlink(names(link), target.toString());
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        return device(link).getFileSystem().getPath(overlay(link).readLink(names(link)));
    }

    @Override
    public void delete(Path path) throws IOException {
        Overlay o = overlay(path);
        List<String> names = names(path);
        if (o.stat(names, false).isDirectory()) {
            o.rmdir(names);
        } else {
            o.remove(names);
        }
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) {
        throw new UnsupportedOperationException("copying on the server is not supported; upload the file again");
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        boolean replace = Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING);
        overlay(source).rename(names(source), names(target), replace);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) {
        return names(path).equals(names(path2));
    }

    @Override
    public boolean isHidden(Path path) {
        return false;
    }

    @Override
    public FileStore getFileStore(Path path) {
        throw new UnsupportedOperationException("use statvfs@openssh.com for the device's quota");
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        List<String> names = names(path);
        overlay(path).stat(names, true);
        if (Arrays.asList(modes).contains(AccessMode.WRITE) && !names.isEmpty() && names.get(0).equals(Overlay.SNAPSHOTS)) {
            throw new AccessDeniedException(path.toString(), null, "/.snapshots is read-only");
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        if (type != BasicFileAttributeView.class && type != PosixFileAttributeView.class) {
            return null;
        }
        return (V) new View(path, follow(options));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException {
        if (type != BasicFileAttributes.class && type != PosixFileAttributes.class) {
            throw new UnsupportedOperationException("attributes " + type.getSimpleName() + " are not supported");
        }
        return (A) new Attributes(overlay(path).stat(names(path), follow(options)), owner(path));
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        Attributes a = new Attributes(overlay(path).stat(names(path), follow(options)), owner(path));
        Map<String, Object> all = new HashMap<>();
        all.put("size", a.size());
        all.put("lastModifiedTime", a.lastModifiedTime());
        all.put("lastAccessTime", a.lastAccessTime());
        all.put("creationTime", a.creationTime());
        all.put("isRegularFile", a.isRegularFile());
        all.put("isDirectory", a.isDirectory());
        all.put("isSymbolicLink", a.isSymbolicLink());
        all.put("isOther", false);
        all.put("fileKey", a.fileKey());
        if (attributes.startsWith("posix:")) {
            all.put("permissions", a.permissions());
            all.put("owner", a.owner());
            all.put("group", a.group());
        }
        String wanted = attributes.substring(attributes.indexOf(':') + 1);
        if (wanted.equals("*")) {
            return all;
        }
        Map<String, Object> some = new HashMap<>();
        for (String name : wanted.split(",")) {
            if (all.containsKey(name)) {
                some.put(name, all.get(name));
            }
        }
        return some;
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        String name = attribute.substring(attribute.indexOf(':') + 1);
        switch (name) {
            case "lastModifiedTime" -> overlay(path).setAttributes(names(path), null, ((FileTime) value).toInstant());
            case "permissions" -> overlay(path).setAttributes(names(path), modeOf((Set<?>) value), null);
            // Access and creation times, owners and groups are not kept in snapshots.
            default -> { }
        }
    }

    /**
     * The device owns everything it sees, as the user who uploaded it. MINA writes the principal's
     * {@code toString()} into the long names {@code ls -l} prints, so a lambda would show its class.
     */
    private record Owner(String getName) implements UserPrincipal, GroupPrincipal {
        @Override
        public String toString() {
            return getName;
        }
    }

    private static Owner owner(Path p) {
        return new Owner(overlay(p).device());
    }

    private record Attributes(Entry e, Owner device) implements PosixFileAttributes {
        @Override
        public FileTime lastModifiedTime() {
            return FileTime.from(e.mtime());
        }

        @Override
        public FileTime lastAccessTime() {
            return lastModifiedTime();
        }

        @Override
        public FileTime creationTime() {
            return lastModifiedTime();
        }

        @Override
        public boolean isRegularFile() {
            return e.kind() == Entry.Kind.FILE;
        }

        @Override
        public boolean isDirectory() {
            return e.kind() == Entry.Kind.DIRECTORY;
        }

        @Override
        public boolean isSymbolicLink() {
            return e.kind() == Entry.Kind.SYMLINK;
        }

        @Override
        public boolean isOther() {
            return false;
        }

        @Override
        public long size() {
            return e.size();
        }

        @Override
        public Object fileKey() {
            return null;
        }

        @Override
        public UserPrincipal owner() {
            return device;
        }

        @Override
        public GroupPrincipal group() {
            return device;
        }

        @Override
        public Set<PosixFilePermission> permissions() {
            return permissionsOf(e.permissions());
        }
    }

    private final class View implements PosixFileAttributeView {
        private final Path path;
        private final boolean follow;

        View(Path path, boolean follow) {
            this.path = path;
            this.follow = follow;
        }

        @Override
        public String name() {
            return "posix";
        }

        @Override
        public PosixFileAttributes readAttributes() throws IOException {
            return new Attributes(overlay(path).stat(names(path), follow), owner(path));
        }

        @Override
        public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime) throws IOException {
            if (lastModifiedTime != null) {
                overlay(path).setAttributes(names(path), null, lastModifiedTime.toInstant());
            }
        }

        @Override
        public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
            overlay(path).setAttributes(names(path), modeOf(perms), null);
        }

        @Override
        public void setGroup(GroupPrincipal group) {
            // Owners are not kept in snapshots.
        }

        @Override
        public UserPrincipal getOwner() {
            return owner(path);
        }

        @Override
        public void setOwner(UserPrincipal owner) {
            // Owners are not kept in snapshots.
        }
    }
}
