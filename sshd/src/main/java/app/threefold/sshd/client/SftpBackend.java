package app.threefold.sshd.client;

import app.threefold.backend.Backend;
import app.threefold.backend.BackendUnreachableException;
import app.threefold.backend.CredentialsRefusedException;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.HashedInput;
import app.threefold.backend.HostKeyMismatchException;
import app.threefold.backend.NoSuchObjectException;
import app.threefold.backend.NotARepositoryException;
import app.threefold.backend.ObjectExistsException;
import app.threefold.backend.RepositoryExistsException;
import app.threefold.backend.SftpSettings;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.CheckFileNameExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A repository on an SFTP server (a paired friend's Threefold, any OpenSSH server), over Apache
 * MINA SSHD's client, laid out exactly as restic's sftp backend lays it out: {@code config},
 * {@code keys/}, {@code locks/}, {@code snapshots/}, {@code index/}, {@code data/00..ff/}. So
 * {@code restic -r sftp:…} opens the same folder.
 *
 * <p>Uploads go to {@code NAME-tmp-RANDOM} (created exclusively) and are renamed to {@code NAME}
 * with a plain SFTP rename, which fails when {@code NAME} exists: objects are never overwritten,
 * and a host that keeps guests append-only allows exactly that one rename of a {@code -tmp-} file.
 * Locks are renamed over their old version ({@code posix-rename@openssh.com} where offered).
 *
 * <p>The host key is pinned ({@link HostKeyPin}). Several SFTP channels over one SSH session carry
 * concurrent requests; a channel or session that dropped is opened again by the next request, so
 * a caller that retries (a mirror sync) carries on after a dropped connection.
 *
 * <p>Each upload is verified by a hash the server computes ({@code check-file-name}: SHA-256 where
 * offered, else MD5) compared with the hash of the bytes sent, under its temporary name before
 * the rename, so an object's name is only ever given to verified bytes; servers without that extension
 * (OpenSSH's {@code sftp-server}) are not verified here, {@link #savesAreVerified()} is false and the
 * caller checks the stored length.
 */
public final class SftpBackend implements Backend {

    private static final Logger log = LoggerFactory.getLogger(SftpBackend.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern OBJECT_NAME = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern PACK_FOLDER = Pattern.compile("[0-9a-f]{2}");
    private static final String TEMPORARY_INFIX = "-tmp-";
    private static final int LISTINGS_AT_ONCE = 8;

    /**
     * How the client talks to the server.
     *
     * @param channels    SFTP channels over the one SSH session; requests spread over them
     * @param writeBuffer bytes per write request; several are in flight per upload
     * @param readBuffer  bytes per read request
     * @param timeout     for connecting, logging in and opening a channel
     */
    public record Options(int channels, int writeBuffer, int readBuffer, Duration timeout) {
        /**
         * Writes of 255 KiB (OpenSSH's sftp-server and MINA take up to 256 KiB messages) measured 1.4–1.7×
         * the throughput of 64 KiB ones at a quarter less CPU: a quarter of the requests and acks.
         */
        public static final Options DEFAULT = new Options(4, 255 << 10, 64 << 10, Duration.ofSeconds(20));

        public Options {
            if (channels < 1 || writeBuffer < 1024 || readBuffer < 1024) {
                throw new IllegalArgumentException("at least one channel and 1 KiB buffers");
            }
            Objects.requireNonNull(timeout, "timeout");
        }
    }

    /** How an upload is checked: by a hash the server computes, or not here (the caller reads back the length). */
    enum Verification { SHA256, MD5, NONE }

    private final SftpSettings settings;
    private final Options options;
    private final String root;
    private final String location;
    private final HostKeyPin pin;
    private final KeyPair key;
    private final SshClient client;
    private final SftpClient[] channels;
    private final Object[] channelLocks;
    private final AtomicInteger next = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();
    /**
     * Temporary files of failed uploads that could not be removed then (the connection was cut):
     * removed once a connection is back, or each cut would leave up to an upload's bytes on the
     * server for good, against a friend's quota.
     */
    private final java.util.Set<String> orphans = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private ClientSession session;
    private volatile Verification verification;

    private SftpBackend(SftpSettings settings, Options options) throws IOException {
        this.settings = settings;
        this.options = options;
        String path = settings.path();
        this.root = path.equals(".") ? "" : path;
        this.location = settings.display();
        this.pin = new HostKeyPin(settings.hostKey());
        this.key = settings.keyFile() == null ? null : loadKey(settings);
        this.channels = new SftpClient[options.channels()];
        this.channelLocks = new Object[options.channels()];
        for (int i = 0; i < channelLocks.length; i++) {
            channelLocks[i] = new Object();
        }
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(pin);
        // Only what the settings say: not the service account's ~/.ssh/config, nor its keys.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        // AES-GCM first: the JDK runs it on AES-NI and carry-less multiply, several times the speed of
        // its ChaCha20-Poly1305, and a sync's throughput is bound by the cipher.
        client.setCipherFactories(new ArrayList<>(List.of(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm,
                BuiltinCiphers.aes128ctr, BuiltinCiphers.aes256ctr, BuiltinCiphers.cc20p1305_openssh)));
        // ML-KEM hybrid first (post-quantum and quick), then plain curve25519: sntrup761, which MINA
        // would pick otherwise, costs a noticeable part of every connection in Java.
        client.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(true,
                List.of(BuiltinDHFactories.mlkem768x25519, BuiltinDHFactories.curve25519, BuiltinDHFactories.ecdhp256),
                ClientBuilder.DH2KEX));
        client.start();
    }

    /** Opens the repository there; fails if the folder holds no {@code config}. */
    public static SftpBackend open(SftpSettings settings, Options options) throws IOException {
        SftpBackend backend = new SftpBackend(settings, options);
        try {
            if (!backend.exists(Handle.CONFIG)) {
                throw new NotARepositoryException(backend.location, "it has no config file");
            }
            return backend;
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** Lays out a new, empty repository folder there (creating it if needed); fails if it holds a config. */
    public static SftpBackend create(SftpSettings settings, Options options) throws IOException {
        SftpBackend backend = new SftpBackend(settings, options);
        try {
            if (backend.exists(Handle.CONFIG)) {
                throw new RepositoryExistsException(backend.location);
            }
            backend.layOut();
            return backend;
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** The repository there, or a new one laid out when it holds no config ({@code whenNew} runs first); one connection. */
    public static SftpBackend openOrCreate(SftpSettings settings, Options options, Runnable whenNew) throws IOException {
        SftpBackend backend = new SftpBackend(settings, options);
        try {
            if (!backend.exists(Handle.CONFIG)) {
                whenNew.run();
                backend.layOut();
            }
            return backend;
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private void layOut() throws IOException {
        if (!root.isEmpty()) {
            makeDirectories(root);
        }
        for (FileType type : FileType.values()) {
            if (type != FileType.CONFIG) {
                makeDirectory(path(type.folder()));
            }
        }
        // data/00..ff are made by the first upload into each (as restic's sftp backend does when one
        // is missing): 256 round trips saved on a new copy, several seconds over a slow link.
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public boolean savesAreVerified() {
        try {
            return verification() != Verification.NONE;
        } catch (IOException e) {
            return false;
        }
    }

    /** How uploads are verified on this server (for tests and the bench's report). */
    Verification verification() throws IOException {
        Verification known = verification;
        if (known == null) {
            SftpClient c = channel();
            CheckFileNameExtension check = c.getExtension(CheckFileNameExtension.class);
            known = check != null && check.isSupported() ? Verification.SHA256 : Verification.NONE;
            verification = known;
        }
        return known;
    }

    // ---- writes ---------------------------------------------------------------------------------

    @Override
    public void save(Handle handle, InputStream data, long length) throws IOException {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        String target = path(handle.path());
        boolean lock = handle.type() == FileType.LOCK;
        SftpClient c = channel();
        removeOrphans(c);
        if (!lock && statOrNull(c, target) != null) {
            throw new ObjectExistsException(handle, location);
        }
        String temporary = target + TEMPORARY_INFIX + HEX.formatHex(randomBytes());
        Verification how = verification();
        // A sync's stream hashes what it hands over already (to check the object against its name).
        HashedInput hashed = data instanceof HashedInput h ? h : null;
        MessageDigest sha256 = hashed != null ? null : digest("SHA-256");
        MessageDigest md5 = how == Verification.SHA256 ? null : digest("MD5");
        try {
            write(c, handle, temporary, data, length, sha256, md5);
        } catch (IOException | RuntimeException e) {
            removeAfterFailure(c, temporary, e);
            throw e;
        }
        // Verified under the temporary name: only checked bytes ever get the object's name. On a
        // friend's appliance removing a named object is only a request, so a wrong one would stay.
        if (how != Verification.NONE && length == 0) {
            // check-file-name refuses an empty file; its length says all there is to say.
            if (c.stat(temporary).getSize() != 0) {
                removeAfterFailure(c, temporary, null);
                throw new IOException(location + " holds bytes for the empty " + handle.path() + "; send it again");
            }
        } else if (how != Verification.NONE) {
            try {
                verify(c, handle, temporary, hashed != null ? hashed.sha256() : sha256.digest(), md5 == null ? null : md5.digest());
            } catch (IOException | RuntimeException e) {
                // Cut while hashing: the temporary file stays behind unless it is removed now or, with
                // the connection gone, once connected again (removing a missing file is no error).
                removeAfterFailure(c, temporary, e);
                throw e;
            }
        }
        try {
            if (lock) {
                replace(c, temporary, target);
            } else {
                c.rename(temporary, target);
            }
        } catch (IOException e) {
            removeAfterFailure(c, temporary, e);
            if (!lock && statOrNull(c, target) != null) {
                throw new ObjectExistsException(handle, location);
            }
            throw failure("renaming " + temporary + " to " + target, e);
        }
    }

    private void write(SftpClient c, Handle handle, String temporary, InputStream data, long length, MessageDigest sha256,
                       MessageDigest md5) throws IOException {
        try (OutputStream out = create(c, temporary)) {
            byte[] buffer = new byte[options.writeBuffer()];
            long left = length;
            while (left > 0) {
                int n = data.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new EOFException("the data for " + handle.path() + " ended after " + (length - left) + " of "
                            + length + " bytes");
                }
                if (sha256 != null) {
                    sha256.update(buffer, 0, n);
                }
                if (md5 != null) {
                    md5.update(buffer, 0, n);
                }
                out.write(buffer, 0, n);
                left -= n;
            }
            if (data.read() >= 0) {
                throw new IOException("the data for " + handle.path() + " is longer than its " + length + " bytes");
            }
        }
    }

    private OutputStream create(SftpClient c, String temporary) throws IOException {
        EnumSet<SftpClient.OpenMode> modes = EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                SftpClient.OpenMode.Exclusive);
        try {
            return c.write(temporary, options.writeBuffer(), modes);
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw failure("creating " + temporary, e);
            }
            // A data/xx folder someone removed; restic makes it again the same way.
            makeDirectories(temporary.substring(0, temporary.lastIndexOf('/')));
            return c.write(temporary, options.writeBuffer(), modes);
        }
    }

    /** Puts a lock in place over its previous version. */
    private void replace(SftpClient c, String temporary, String target) throws IOException {
        OpenSSHPosixRenameExtension posix = c.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix != null && posix.isSupported()) {
            posix.posixRename(temporary, target);
            return;
        }
        removeIfThere(c, target);
        c.rename(temporary, target);
    }

    /** Checks the upload at {@code target} (its temporary name) by the hash the server computes; removes it if wrong. */
    private void verify(SftpClient c, Handle handle, String target, byte[] sha256, byte[] md5) throws IOException {
        Map.Entry<String, java.util.Collection<byte[]>> answer;
        try {
            answer = c.getExtension(CheckFileNameExtension.class)
                    .checkFileName(target, md5 == null ? List.of("sha256") : List.of("sha256", "md5"), 0, 0, 0);
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_OP_UNSUPPORTED && verification == Verification.SHA256) {
                // The server names the extension but not SHA-256: MD5 from the next upload on.
                verification = Verification.MD5;
                log.info("{} cannot hash with SHA-256; uploads are verified by MD5", location);
                removeAfterFailure(c, target, e);
                throw new IOException("the server could not hash " + handle.path() + " with SHA-256; sending it again", e);
            }
            throw failure("hashing " + target, e);
        }
        String algorithm = answer.getKey().toLowerCase(java.util.Locale.ROOT);
        byte[] expected = switch (algorithm) {
            case "sha256" -> sha256;
            case "md5" -> md5;
            default -> null;
        };
        byte[] got = answer.getValue().isEmpty() ? null : answer.getValue().iterator().next();
        if (expected == null) {
            if (algorithm.equals("md5")) {
                verification = Verification.MD5;
            }
            removeAfterFailure(c, target, null);
            throw new IOException(location + " hashed " + handle.path() + " with " + algorithm + ", which this upload did"
                    + " not compute; sending it again");
        }
        if (got == null || !MessageDigest.isEqual(expected, got)) {
            removeAfterFailure(c, target, null);
            throw new IOException(location + " holds other bytes for " + handle.path() + " than were sent (its "
                    + algorithm + " differs); the upload was removed, send it again");
        }
    }

    @Override
    public void remove(Handle handle) throws IOException {
        removeIfThere(channel(), path(handle.path()));
    }

    // ---- reads ----------------------------------------------------------------------------------

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        SftpClient c = channel();
        String path = path(handle.path());
        SftpClient.CloseableHandle file;
        try {
            file = c.open(path, SftpClient.OpenMode.Read);
        } catch (SftpException e) {
            throw missingOr(handle, "opening " + path, e);
        }
        try {
            long size = c.stat(file).getSize();
            long end = length == 0 ? size : offset + length;
            if (offset > size || end > size) {
                throw new EOFException(handle.name() + " in " + location + " has " + size + " bytes; cannot read "
                        + (length == 0 ? "from " + offset : length + " bytes from " + offset));
            }
            return new RangeStream(c, file, handle, offset, end);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Exactly the bytes from {@code position} to {@code end}, read with one request at a time. */
    private final class RangeStream extends InputStream {
        private final SftpClient c;
        private final SftpClient.CloseableHandle file;
        private final Handle handle;
        private final long end;
        private long position;
        private final byte[] buffer = new byte[options.readBuffer()];
        private int bufferPos;
        private int bufferLen;

        RangeStream(SftpClient c, SftpClient.CloseableHandle file, Handle handle, long position, long end) {
            this.c = c;
            this.file = file;
            this.handle = handle;
            this.position = position;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (bufferPos == bufferLen && !fill()) {
                return -1;
            }
            int n = Math.min(len, bufferLen - bufferPos);
            System.arraycopy(buffer, bufferPos, b, off, n);
            bufferPos += n;
            return n;
        }

        private boolean fill() throws IOException {
            if (position >= end) {
                return false;
            }
            int want = (int) Math.min(buffer.length, end - position);
            int n = c.read(file, position, buffer, 0, want);
            if (n < 0) {
                throw new EOFException(handle.name() + " in " + location + " ended at byte " + position + " before the "
                        + end + " bytes asked for");
            }
            position += n;
            bufferPos = 0;
            bufferLen = n;
            return true;
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    @Override
    public long stat(Handle handle) throws IOException {
        String path = path(handle.path());
        try {
            return channel().stat(path).getSize();
        } catch (SftpException e) {
            throw missingOr(handle, "reading the size of " + path, e);
        }
    }

    @Override
    public void list(FileType type, Consumer<ObjectInfo> each) throws IOException {
        SftpClient c = channel();
        if (type == FileType.CONFIG) {
            SftpClient.Attributes config = statOrNull(c, path(Handle.CONFIG.path()));
            if (config != null && config.isRegularFile()) {
                each.accept(new ObjectInfo(Handle.CONFIG, config.getSize()));
            }
            return;
        }
        if (type != FileType.PACK) {
            listFolder(c, type, path(type.folder()), null, each);
            return;
        }
        List<String> prefixes = new ArrayList<>();
        for (SftpClient.DirEntry entry : readDir(c, path(FileType.PACK.folder()))) {
            if (entry.getAttributes().isDirectory() && PACK_FOLDER.matcher(entry.getFilename()).matches()) {
                prefixes.add(entry.getFilename());
            }
        }
        // Up to 256 folders of four round trips each: listed several at a time over the channels, so
        // a full listing over a slow link takes seconds, not minutes. Delivered from this thread.
        java.util.Queue<ObjectInfo> found = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (var lists = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(LISTINGS_AT_ONCE);
            List<java.util.concurrent.Future<Void>> done = new ArrayList<>();
            for (String prefix : prefixes) {
                done.add(lists.submit(() -> {
                    inFlight.acquire();
                    try {
                        listFolder(channel(), type, path(FileType.PACK.folder() + "/" + prefix), prefix, found::add);
                    } finally {
                        inFlight.release();
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<Void> f : done) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException("listing " + location + " failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("listing " + location + " was stopped");
                }
            }
        }
        found.forEach(each);
    }

    private void listFolder(SftpClient c, FileType type, String folder, String prefix, Consumer<ObjectInfo> each)
            throws IOException {
        for (SftpClient.DirEntry entry : readDir(c, folder)) {
            String name = entry.getFilename();
            if (entry.getAttributes().isRegularFile() && OBJECT_NAME.matcher(name).matches()
                    && (prefix == null || name.startsWith(prefix))) {
                each.accept(new ObjectInfo(new Handle(type, name), entry.getAttributes().getSize()));
            }
        }
    }

    /** The folder's entries; none if it does not exist (restic makes folders lazily too). */
    private List<SftpClient.DirEntry> readDir(SftpClient c, String folder) throws IOException {
        List<SftpClient.DirEntry> entries = new ArrayList<>();
        try {
            for (SftpClient.DirEntry entry : c.readDir(folder)) {
                entries.add(entry);
            }
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return List.of();
            }
            throw failure("listing " + folder, e);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return entries;
    }

    // ---- connection -----------------------------------------------------------------------------

    /** One of the channels, opened again (with the session if needed) when it dropped. */
    private SftpClient channel() throws IOException {
        int slot = Math.floorMod(next.getAndIncrement(), channels.length);
        synchronized (channelLocks[slot]) {
            SftpClient c = channels[slot];
            if (c == null || !c.isOpen()) {
                if (c != null) {
                    log.info("an SFTP channel to {} was closed; opening another", location);
                    closeQuietly(c);
                }
                c = SftpClientFactory.instance().createSftpClient(session());
                channels[slot] = c;
            }
            return c;
        }
    }

    private synchronized ClientSession session() throws IOException {
        if (session != null && session.isOpen() && session.isAuthenticated()) {
            return session;
        }
        if (session != null) {
            log.info("the SSH connection to {} dropped; connecting again", location);
            session.close(true);
            session = null;
        }
        ClientSession fresh;
        try {
            ConnectFuture connecting = client.connect(settings.user(), settings.host(), settings.port());
            fresh = connecting.verify(options.timeout()).getSession();
        } catch (IOException e) {
            throw connectFailure(e);
        }
        try {
            if (key != null) {
                fresh.addPublicKeyIdentity(key);
            }
            if (settings.password() != null && !settings.password().isEmpty()) {
                fresh.addPasswordIdentity(settings.password());
            }
            fresh.auth().verify(options.timeout());
        } catch (IOException e) {
            fresh.close(true);
            if (pin.refused() != null) {
                throw new HostKeyMismatchException(location, pin.pinned(), pin.refused());
            }
            if (e instanceof SshException && String.valueOf(e.getMessage()).contains("authentication")) {
                throw new CredentialsRefusedException(location, "the server refused " + (key != null ? "the key "
                        + settings.keyFile() : "the password") + " for user " + settings.user(), "check the user name and"
                        + " that the key is the one the server knows (a friend's NAS forgets it when it unpairs)");
            }
            throw connectFailure(e);
        }
        session = fresh;
        return fresh;
    }

    private IOException connectFailure(IOException e) {
        if (pin.refused() != null) {
            return new HostKeyMismatchException(location, pin.pinned(), pin.refused());
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                    || t instanceof UnresolvedAddressException || t instanceof java.net.SocketTimeoutException) {
                return new BackendUnreachableException(location, t);
            }
        }
        if (e instanceof SshException && String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT)
                .contains("timeout")) {
            return new BackendUnreachableException(location, e);
        }
        return e;
    }

    @Override
    public void close() throws IOException {
        if (!orphans.isEmpty()) {
            try {
                removeOrphans(channel());
            } catch (IOException e) {
                log.warn("{} keeps {} temporary file(s) of failed uploads: {}", location, orphans.size(), e.getMessage());
            }
        }
        for (int i = 0; i < channels.length; i++) {
            synchronized (channelLocks[i]) {
                if (channels[i] != null) {
                    closeQuietly(channels[i]);
                    channels[i] = null;
                }
            }
        }
        synchronized (this) {
            if (session != null) {
                session.close(true);
                session = null;
            }
        }
        client.stop();
    }

    // ---- helpers of this class ------------------------------------------------------------------

    private String path(String relative) {
        return root.isEmpty() ? relative : root + "/" + relative;
    }

    private static SftpClient.Attributes statOrNull(SftpClient c, String path) throws IOException {
        try {
            return c.stat(path);
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return null;
            }
            throw e;
        }
    }

    private void makeDirectory(String path) throws IOException {
        SftpClient c = channel();
        try {
            c.mkdir(path);
        } catch (SftpException e) {
            SftpClient.Attributes there = statOrNull(c, path);
            if (there == null || !there.isDirectory()) {
                throw failure("creating the folder " + path, e);
            }
        }
    }

    private void makeDirectories(String path) throws IOException {
        int slash = path.lastIndexOf('/');
        if (slash > 0 && statOrNull(channel(), path.substring(0, slash)) == null) {
            makeDirectories(path.substring(0, slash));
        }
        makeDirectory(path);
    }

    private static void removeIfThere(SftpClient c, String path) throws IOException {
        try {
            c.remove(path);
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw e;
            }
        }
    }

    private void removeAfterFailure(SftpClient c, String path, Exception cause) {
        // Only temporary names wait for a later removal: an object's own name may be taken by a retry meanwhile.
        boolean temporary = path.contains(TEMPORARY_INFIX);
        try {
            if (!c.isOpen()) {
                if (temporary) {
                    orphans.add(path);
                }
                return;
            }
            removeIfThere(c, path);
        } catch (IOException e) {
            if (temporary) {
                orphans.add(path);
                log.info("cannot remove {} from {} after a failed upload ({}); removing it once connected again", path,
                        location, e.getMessage());
                return;
            }
            log.warn("cannot remove {} from {} after a failed upload: {}", path, location, e.getMessage());
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Removes what failed uploads left while the connection was down; those that still fail wait for the next upload. */
    private void removeOrphans(SftpClient c) {
        for (String path : orphans) {
            if (!c.isOpen()) {
                return;
            }
            try {
                removeIfThere(c, path);
                orphans.remove(path);
            } catch (IOException e) {
                log.debug("{} still cannot remove {}: {}", location, path, e.getMessage());
            }
        }
    }

    private IOException missingOr(Handle handle, String what, SftpException e) {
        if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
            return new NoSuchObjectException(handle, location);
        }
        return failure(what, e);
    }

    private IOException failure(String what, IOException e) {
        if (e instanceof SftpException s) {
            String detail = s.getMessage();
            return switch (s.getStatus()) {
                case SftpConstants.SSH_FX_QUOTA_EXCEEDED -> new IOException(location + ": " + what + " failed: Disk quota"
                        + " exceeded (" + detail + "); ask the server's owner for more space", e);
                case SftpConstants.SSH_FX_PERMISSION_DENIED -> new java.nio.file.AccessDeniedException(what, null,
                        location + " refused it (" + detail + "); check the account's rights on the folder");
                default -> new IOException(location + ": " + what + " failed (" + detail + ")", e);
            };
        }
        return e;
    }

    private static KeyPair loadKey(SftpSettings settings) throws IOException {
        try {
            for (KeyPair pair : new FileKeyPairProvider(settings.keyFile()).loadKeys(null)) {
                return pair;
            }
        } catch (RuntimeException e) {
            throw new IOException("cannot read the key file " + settings.keyFile() + " (" + e.getMessage() + "); give an"
                    + " OpenSSH private key without a passphrase", e);
        }
        throw new IOException("the key file " + settings.keyFile() + " holds no key; give an OpenSSH private key"
                + " without a passphrase");
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return bytes;
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(SftpClient c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("closing an SFTP channel failed", e);
        }
    }
}
