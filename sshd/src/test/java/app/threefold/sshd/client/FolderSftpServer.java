package app.threefold.sshd.client;

import app.threefold.backend.SftpSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
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
final class FolderSftpServer implements AutoCloseable {
    static final String USER = "guest-1a2b3c4d";
    static final String PASSWORD = "correct horse";
    final Path root;
    final Path keyFile;
    final SshServer server;
    final String hostKey;

    FolderSftpServer(Path tmp) throws IOException, InterruptedException {
        this(tmp, Files.createDirectories(tmp.resolve("served")));
    }

    FolderSftpServer(Path tmp, Path root) throws IOException, InterruptedException {
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
        this.hostKey = HostKeyPin.fingerprint(hostKeys.loadKeys(null).iterator().next().getPublic());
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(hostKeys);
        server.setPublickeyAuthenticator((user, key, session) -> USER.equals(user) && KeyUtils.compareKeys(key, allowed));
        server.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        server.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder().build()));
        server.setFileSystemFactory(new VirtualFileSystemFactory(root));
        server.start();
    }

    int port() {
        return server.getPort();
    }

    /** Settings for the key login, with the repository in {@code path} below the root. */
    SftpSettings settings(String path) {
        return new SftpSettings(USER, "127.0.0.1", port(), path, hostKey, keyFile, null);
    }

    /** Cuts every connection, as a router restart or a dropped Wi-Fi would. */
    void dropConnections() throws IOException {
        for (Session s : server.getActiveSessions()) {
            s.close(true);
        }
    }

    static KeyPair load(Path keyFile) {
        return new FileKeyPairProvider(keyFile).loadKeys(null).iterator().next();
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
