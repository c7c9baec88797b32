package app.threefold.sshd;

import app.threefold.peer.Guests;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.digest.Digest;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;

/**
 * MINA's SFTP subsystem for a guest appliance, over its folder (the root it sees), with the rules
 * of docs/peers.md step 4: new files may be created; an existing file is never overwritten,
 * truncated, appended to or renamed, except a {@code -tmp-} file this guest created, which may be
 * written and renamed once to a new name (restic's own {@code -restic-temp-} names count too); a remove is recorded as a request carried out after the
 * grace period (the file stays readable and listed), except lock files under {@code locks/} and
 * uploads never renamed (temporary names), which go at once;
 * writes stop at the guest's quota. Links, copies and removing folders are refused.
 */
final class GuestSftpSubsystem extends SftpSubsystem {
    private static final int WRITES = SftpConstants.ACE4_WRITE_DATA | SftpConstants.ACE4_APPEND_DATA;
    private final Guests guests;
    private final String user;
    private final Set<String> uploading;
    /** Read once per channel: a write costs no catalog query; a changed quota applies from the next connection. */
    private final long quota;

    /**
     * @param uploading the guest's {@code -tmp-} files created and not yet renamed, shared by its connections
     */
    GuestSftpSubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator, Guests guests, String user,
            Set<String> uploading) {
        super(channel, configurator);
        this.guests = guests;
        this.user = user;
        this.uploading = uploading;
        this.quota = guests.quota(user);
    }

    /** Every guest's set of uploads in flight, by user, for the subsystems of its connections. */
    static final class Uploads {
        private final Map<String, Set<String>> byUser = new ConcurrentHashMap<>();

        Set<String> of(String user) {
            return byUser.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet());
        }
    }

    /** The path inside the guest's folder, as the protocol and the deletion records name it. */
    private static String relative(Path p) {
        String s = p.toAbsolutePath().normalize().toString();
        return s.startsWith("/") ? s.substring(1) : s;
    }

    /**
     * Whether a name is an upload in flight: {@code NAME-tmp-RANDOM} (the protocol, Threefold's
     * SftpBackend) or {@code NAME-restic-temp-RANDOM}, what restic's own sftp backend (0.14) writes.
     */
    private static boolean temporary(String relative) {
        String name = relative.substring(relative.lastIndexOf('/') + 1);
        return name.contains("-tmp-") || name.contains("-restic-temp-");
    }

    private static AccessDeniedException refused(String relative, String why) {
        return new AccessDeniedException("/" + relative, null, why);
    }

    /**
     * The attributes of a create without its modes: B's own server reads, measures and deletes what
     * a guest stores, so a guest never chooses the modes (see {@link #setFilePermissions}).
     */
    private static <V> Map<String, V> withoutModes(Map<String, V> attrs) {
        if (attrs == null || !(attrs.containsKey("permissions") || attrs.containsKey("acl"))) {
            return attrs;
        }
        Map<String, V> kept = new java.util.HashMap<>(attrs);
        kept.remove("permissions");
        kept.remove("acl");
        return kept;
    }

    @Override
    protected void doCheckFileHash(int id, Path file, NamedFactory<? extends Digest> factory, long startOffset, long length,
            int blockSize, Buffer buffer) throws Exception {
        // Every upload of a friend's sync is hashed here before its rename: the JDK's SHA-256, not BouncyCastle's.
        super.doCheckFileHash(id, file, JdkDigest.of(factory), startOffset, length, blockSize, buffer);
    }

    @Override
    protected String doOpen(int id, String path, int pflags, int access, Map<String, Object> requested) throws IOException {
        ReentrantLock lock = guests.folderLock(user);
        lock.lock();
        try {
            return open(id, path, pflags, access, withoutModes(requested));
        } finally {
            lock.unlock();
        }
    }

    private String open(int id, String path, int pflags, int access, Map<String, Object> attrs) throws IOException {
        Path file = resolveFile(path);
        String rel = relative(file);
        int disposition = pflags & SftpConstants.SSH_FXF_ACCESS_DISPOSITION;
        boolean truncates = disposition == SftpConstants.SSH_FXF_TRUNCATE_EXISTING
                || disposition == SftpConstants.SSH_FXF_CREATE_TRUNCATE;
        boolean writes = (access & WRITES) != 0 || truncates || (pflags & SftpConstants.SSH_FXF_APPEND_DATA) != 0;
        if (writes) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                if (!uploading.contains(rel)) {
                    throw refused(rel, "exists and is kept as it is: a guest may not overwrite, truncate or append to"
                            + " a file on its host (upload as NAME-tmp-RANDOM, then rename)");
                }
            } else if (temporary(rel)) {
                uploading.add(rel);
            }
        }
        return super.doOpen(id, path, pflags, access, attrs);
    }

    @Override
    protected void doWrite(int id, String handle, long offset, int length, byte[] data, int doff, int remaining)
            throws IOException {
        Handle h = handles.get(handle);
        if (h instanceof FileHandle f) {
            long size = Files.size(f.getFile());
            long growth = Math.max(0, offset + length - size);
            AtomicLong used = guests.usage(user);
            if (growth > 0 && used.get() + growth > quota) {
                throw new GuestQuotaException("/" + relative(f.getFile()), quota);
            }
            super.doWrite(id, handle, offset, length, data, doff, remaining);
            used.addAndGet(growth);
            return;
        }
        super.doWrite(id, handle, offset, length, data, doff, remaining);
    }

    @Override
    protected void doRename(int id, String oldPath, String newPath, Collection<CopyOption> opts) throws IOException {
        ReentrantLock lock = guests.folderLock(user);
        lock.lock();
        try {
            rename(id, oldPath, newPath, opts);
        } finally {
            lock.unlock();
        }
    }

    private void rename(int id, String oldPath, String newPath, Collection<CopyOption> opts) throws IOException {
        Path from = resolveFile(oldPath);
        Path to = resolveFile(newPath);
        String rel = relative(from);
        if (!uploading.contains(rel)) {
            throw refused(rel, "may not be renamed: a guest renames only a NAME-tmp-RANDOM file it uploaded, once");
        }
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException("/" + relative(to), null, "exists and is kept as it is: a rename may not replace"
                    + " a file on the host");
        }
        super.doRename(id, oldPath, newPath, opts.stream().filter(o -> o != java.nio.file.StandardCopyOption.REPLACE_EXISTING).toList());
        uploading.remove(rel);
    }

    @Override
    protected void doRemoveFile(int id, String path) throws IOException {
        ReentrantLock lock = guests.folderLock(user);
        lock.lock();
        try {
            removeFile(id, path);
        } finally {
            lock.unlock();
        }
    }

    private void removeFile(int id, String path) throws IOException {
        Path file = resolveFile(path);
        String rel = relative(file);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException("/" + rel);
        }
        // A lock comes and goes; an upload that was never renamed (refused, cut, left by a crash)
        // can never be an object, and waiting the grace period would only hold its space.
        if (Guests.lockFile(rel) || temporary(rel) && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            long size = Files.size(file);
            super.doRemoveFile(id, path);
            guests.usage(user).addAndGet(-size);
            uploading.remove(rel);
            return;
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw refused(rel, "is a folder; a guest removes files only");
        }
        // Recorded, not done: a ransomed or stolen guest cannot wipe its copy before the host's owner notices.
        guests.requestDeletion(user, rel);
    }

    @Override
    protected void doRemoveDirectory(int id, String path) throws IOException {
        throw refused(relative(resolveFile(path)), "is kept: a guest may not remove folders on its host");
    }

    @Override
    protected void setFileAttributes(Path file, Map<String, ?> attributes, LinkOption... options) throws IOException {
        if (attributes.containsKey("size")) {
            throw refused(relative(file), "keeps its size: a guest may not truncate or extend a file on its host");
        }
        super.setFileAttributes(file, attributes, options);
    }

    @Override
    protected void doMakeDirectory(int id, String path, Map<String, ?> attrs) throws IOException {
        super.doMakeDirectory(id, path, withoutModes(attrs));
    }

    /**
     * Whatever a guest asks (setstat, fsetstat, lsetstat), the owner — B's server — keeps read and
     * write, and search on folders: a guest's {@code chmod 000} would otherwise make its objects
     * unreadable to B's own checks and its folders unmeasurable and their deletions impossible.
     * Group and others never get write.
     */
    @Override
    protected void setFilePermissions(Path file, Set<PosixFilePermission> asked, LinkOption... options) throws IOException {
        Set<PosixFilePermission> perms = asked.isEmpty() ? EnumSet.noneOf(PosixFilePermission.class) : EnumSet.copyOf(asked);
        perms.add(PosixFilePermission.OWNER_READ);
        perms.add(PosixFilePermission.OWNER_WRITE);
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            perms.add(PosixFilePermission.OWNER_EXECUTE);
        }
        perms.remove(PosixFilePermission.GROUP_WRITE);
        perms.remove(PosixFilePermission.OTHERS_WRITE);
        super.setFilePermissions(file, perms, options);
    }

    @Override
    protected void setFileAccessControl(Path file, List<AclEntry> acl, LinkOption... options) throws IOException {
        throw refused(relative(file), "keeps its access control: a guest may not set ACLs on its host");
    }

    @Override
    protected void doLink(int id, String targetPath, String linkPath, boolean symLink) throws IOException {
        throw refused(relative(resolveFile(linkPath)), "cannot be made: a guest may not make links on its host");
    }

    @Override
    protected void doSymLink(int id, String targetPath, String linkPath) throws IOException {
        throw refused(relative(resolveFile(linkPath)), "cannot be made: a guest may not make links on its host");
    }

    @Override
    protected void doOpenSSHHardLink(int id, String srcFile, String dstFile) throws IOException {
        throw refused(relative(resolveFile(dstFile)), "cannot be made: a guest may not make links on its host");
    }

    @Override
    protected void doCopyFile(int id, String srcFile, String dstFile, Collection<CopyOption> opts) throws IOException {
        throw refused(relative(resolveFile(dstFile)), "cannot be made by a copy on the host; upload it");
    }

    @Override
    protected void doCopyData(int id, String readHandle, long readOffset, long readLength, String writeHandle, long writeOffset)
            throws IOException {
        throw new AccessDeniedException(writeHandle, null, "a guest may not copy data on its host; upload it");
    }
}
