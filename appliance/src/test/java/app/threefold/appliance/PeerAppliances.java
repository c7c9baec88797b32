package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * Appliances for pairing tests: each set up with {@code init} in its own data directory, started on
 * loopback with free ports and its own test clock, driven through the API as its admin.
 */
final class PeerAppliances {
    static final String ADMIN_PASSWORD = "correct horse battery";
    static final String RECOVERY = "repository secret";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private PeerAppliances() {
    }

    /** One running appliance with its clock. */
    record Running(Appliance appliance, TestClock clock, Path dataDir, TestDatabase.Database database) implements AutoCloseable {

        HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.httpPort() + path))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD)
                            .getBytes(StandardCharsets.UTF_8)))
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            if (json != null) {
                request.header("Content-Type", "application/json");
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        int sftpPort() {
            return appliance.sftpPort();
        }

        @Override
        public void close() {
            try {
                appliance.close();
            } finally {
                database.close();
            }
        }
    }

    static Running start(Path dataDir, TestClock clock) throws IOException {
        Files.createDirectories(dataDir);
        Path tmp = dataDir.resolveSibling(dataDir.getFileName() + "-secrets");
        Files.createDirectories(tmp);
        Files.writeString(tmp.resolve("repo-password"), RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), ADMIN_PASSWORD + "\n");
        // One embedded PostgreSQL per JVM: each appliance gets a database of its own on the tests' shared server.
        TestDatabase.Database db = TestDatabase.create();
        Map<String, String> env = Map.of("THREEFOLD_DATABASE_URL", db.jdbcUrl(), "THREEFOLD_DATABASE_USER", db.user(),
                "THREEFOLD_DATABASE_PASSWORD", db.password());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"init", "--data-dir", dataDir.toString(), "--password-file",
                tmp.resolve("repo-password").toString(), "--admin-user", "admin", "--admin-password-file",
                tmp.resolve("admin-password").toString()}, env, new PrintStream(err),
                new PrintStream(err));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Appliance a = Appliance.start(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), env), "test", clock);
        return new Running(a, clock, dataDir, db);
    }

    /** An SFTP session as a guest, with its pairing key, insisting on the host key the pairing pinned. */
    record GuestSftp(SshClient client, ClientSession session, SftpClient sftp) implements AutoCloseable {

        static GuestSftp open(int port, String user, Path keyFile, String hostKey) throws Exception {
            SshClient client = SshClient.setUpDefaultClient();
            client.setServerKeyVerifier((s, a, k) -> KeyUtils.getFingerPrint(k).equals(hostKey));
            client.start();
            ClientSession session = client.connect(user, "127.0.0.1", port).verify(Duration.ofSeconds(10)).getSession();
            for (KeyPair kp : SecurityUtils.loadKeyPairIdentities(null, null, Files.newInputStream(keyFile), null)) {
                session.addPublicKeyIdentity(kp);
            }
            session.auth().verify(Duration.ofSeconds(10));
            return new GuestSftp(client, session, SftpClientFactory.instance().createSftpClient(session));
        }

        void put(String path, byte[] bytes) throws IOException {
            try (var out = sftp.write(path, SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive)) {
                out.write(bytes);
            }
        }

        byte[] get(String path) throws IOException {
            try (var in = sftp.read(path)) {
                return in.readAllBytes();
            }
        }

        @Override
        public void close() throws IOException {
            sftp.close();
            session.close();
            client.stop();
        }
    }
}
