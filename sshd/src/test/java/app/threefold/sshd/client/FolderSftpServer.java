package app.threefold.sshd.client;

import app.threefold.backend.SftpSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.nio.file.CopyOption;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpEventListener;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * A plain MINA SSHD SFTP server for tests, on a loopback port, serving one folder as the root of
 * user {@value #USER}, who logs in with the ed25519 key {@link #keyFile} (made by ssh-keygen) or
 * the password {@value #PASSWORD}. It offers {@code check-file-name}, as MINA does.
 */
public final class FolderSftpServer implements AutoCloseable {
    public static final String USER = "guest-1a2b3c4d";
    public static final String PASSWORD = "correct horse";
    public final Path root;
    public final Path keyFile;
    public final SshServer server;
    public final String hostKey;
    private final PublicKey hostPublicKey;
    private final AtomicInteger renames = new AtomicInteger();
    private volatile int dropAfterRenames = -1;
    private final AtomicInteger dropped = new AtomicInteger();

    public FolderSftpServer(Path tmp) throws IOException, InterruptedException {
        this(tmp, Files.createDirectories(tmp.resolve("served")));
    }

    public FolderSftpServer(Path tmp, Path root) throws IOException, InterruptedException {
        this.root = root;
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        this.keyFile = keys.resolve("id_ed25519");
        if (!Files.exists(keyFile)) {
            Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "threefold-test", "-f",
                    keyFile.toString()).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("ssh-keygen failed: " + new String(p.getInputStream().readAllBytes()));
            }
        }
        PublicKey allowed = load(keyFile).getPublic();
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(keys.resolve("host_ed25519_key"));
        hostKeys.setAlgorithm("EdDSA");
        hostKeys.setKeySize(256);
        this.hostPublicKey = hostKeys.loadKeys(null).iterator().next().getPublic();
        this.hostKey = HostKeyPin.fingerprint(hostPublicKey);
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(hostKeys);
        server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && KeyUtils.compareKeys(key, allowed));
        server.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder().build();
        sftp.addSftpEventListener(new SftpEventListener() {
            @Override
            public void moved(ServerSession session, Path src, Path dst, Collection<CopyOption> opts, Throwable thrown) {
                if (thrown == null && renames.incrementAndGet() == dropAfterRenames) {
                    // From another thread: the session must not close under its own callback.
                    Thread.startVirtualThread(() -> {
                        try {
                            dropConnections();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                }
            }
        });
        server.setSubsystemFactories(List.of(sftp));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
    }

    public int port() {
        return server.getPort();
    }

    /** Settings for the key login, with the repository in {@code path} below the root. */
    public SftpSettings settings(String path) {
        return new SftpSettings(USER, "127.0.0.1", port(), path, hostKey, keyFile, null);
    }

    /** Cuts every connection once, right after the {@code n}th upload was renamed into place. */
    public void dropConnectionsAfterRenames(int n) {
        renames.set(0);
        dropAfterRenames = n;
    }

    /** How many connections {@link #dropConnections()} cut. */
    public int dropped() {
        return dropped.get();
    }

    /** A known_hosts file naming this server's key, for OpenSSH's {@code ssh} with StrictHostKeyChecking=yes. */
    public Path knownHosts(Path dir) throws IOException {
        return Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port() + " "
                + PublicKeyEntry.toString(hostPublicKey) + "\n");
    }

    /**
     * restic's {@code -o sftp.command=…} for this server: OpenSSH's ssh with the test key, the host
     * key pinned in a known_hosts file.
     */
    public String resticSftpCommand(Path dir) throws IOException {
        return "ssh -i " + keyFile + " -p " + port() + " -o StrictHostKeyChecking=yes -o UserKnownHostsFile="
                + knownHosts(dir) + " -o IdentitiesOnly=yes -o BatchMode=yes " + USER + "@127.0.0.1 -s sftp";
    }

    /** Cuts every connection, as a router restart or a dropped Wi-Fi would. */
    public void dropConnections() throws IOException {
        dropped.addAndGet(server.getActiveSessions().size());
        for (Session s : server.getActiveSessions()) {
            s.close(true);
        }
    }

    public static KeyPair load(Path keyFile) {
        return new FileKeyPairProvider(keyFile).loadKeys(null).iterator().next();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
