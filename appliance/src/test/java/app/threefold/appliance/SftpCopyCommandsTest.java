package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.LocalBackend;
import app.threefold.backend.ObjectCopy;
import app.threefold.repository.TestTrees;
import app.threefold.sshd.client.FolderSftpServer;
import app.threefold.sshd.client.SftpBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code snapshots}, {@code check} and {@code restore} with {@code --repo sftp://…} as a person
 * runs them after their NAS is gone: the copy at a friend's (a MINA SFTP server serving a folder on
 * 127.0.0.1), the pairing key, the friend's host key fingerprint, the recovery password.
 */
class SftpCopyCommandsTest {
    private static final String RECOVERY = "repository secret";

    @TempDir
    static Path shared;
    static FolderSftpServer server;
    static Path source;
    static Path passwordFile;
    static String location;

    @TempDir
    Path tmp;

    @BeforeAll
    static void copyOfAnAppliancesRepositoryAtAFriends() throws Exception {
        server = new FolderSftpServer(shared.resolve("friend"));
        Path data = shared.resolve("data");
        passwordFile = shared.resolve("repo-password");
        Files.writeString(passwordFile, RECOVERY + "\n");
        Files.writeString(shared.resolve("admin-password"), "correct horse battery\n");
        assertThat(main("init", "--data-dir", data.toString(), "--password-file", passwordFile.toString(),
                "--admin-user", "admin", "--admin-password-file", shared.resolve("admin-password").toString()).status()).isZero();
        source = TestTrees.awkward(shared.resolve("photos share"), 21);
        Run backup = main("backup", "--data-dir", data.toString(), "--device", "nas-photos", source.toString());
        assertThat(backup.status()).as(backup.err()).isZero();
        try (LocalBackend local = LocalBackend.open(data.resolve("repository"));
             SftpBackend copy = SftpBackend.create(server.settings("copy"), SftpBackend.Options.DEFAULT)) {
            assertThat(ObjectCopy.copyAll(local, copy)).isPositive();
        }
        location = "sftp://" + FolderSftpServer.USER + "@127.0.0.1:" + server.port() + "/copy";
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void aCopyAtAFriendsIsListedCheckedAndRestoredByteIdenticalWithThePairingKey() throws Exception {
        Run list = main("snapshots", "--repo", location, "--key", server.keyFile.toString(), "--host-key", server.hostKey,
                "--password-file", passwordFile.toString());
        Run check = main("check", "--repo", location, "--key", server.keyFile.toString(), "--host-key", server.hostKey,
                "--password-file", passwordFile.toString(), "--read-data");
        Path target = tmp.resolve("restored");
        Run restore = main("restore", "--repo", location, "--key", server.keyFile.toString(), "--host-key",
                server.hostKey, "--password-file", passwordFile.toString(), "--device", "nas-photos", target.toString());

        assertThat(list.status()).as(list.err()).isZero();
        assertThat(list.out()).contains("nas-photos").contains("1 snapshot");
        assertThat(check.status()).as(check.err()).isZero();
        assertThat(check.out()).contains("No errors were found.");
        assertThat(restore.status()).as(restore.err()).isZero();
        TestTrees.assertSameTree(source, target);
    }

    @Test
    void aWrongHostKeyARefusedKeyAnUnreachableHostAndAMissingHostKeyAreEachOneLineThatSaysWhatToDo() throws Exception {
        Path otherKey = tmp.resolve("other_ed25519");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey.toString())
                .redirectErrorStream(true).start();
        assertThat(keygen.waitFor(30, TimeUnit.SECONDS) && keygen.exitValue() == 0).isTrue();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String otherHostKey = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

        Run wrongHost = main("restore", "--repo", location, "--key", server.keyFile.toString(), "--host-key",
                otherHostKey, "--password-file", passwordFile.toString(), tmp.resolve("out").toString());
        Run refused = main("snapshots", "--repo", location, "--key", otherKey.toString(), "--host-key", server.hostKey,
                "--password-file", passwordFile.toString());
        Run down = main("snapshots", "--repo", "sftp://" + FolderSftpServer.USER + "@127.0.0.1:" + closedPort + "/copy",
                "--key", server.keyFile.toString(), "--host-key", server.hostKey, "--password-file", passwordFile.toString());
        Run noHostKey = main("check", "--repo", location, "--key", server.keyFile.toString(), "--password-file",
                passwordFile.toString());

        assertThat(wrongHost.status()).isEqualTo(1);
        assertThat(oneLine(wrongHost)).contains("presented host key " + server.hostKey).contains(otherHostKey)
                .contains("nothing was sent");
        assertThat(tmp.resolve("out")).doesNotExist();
        assertThat(refused.status()).isEqualTo(1);
        assertThat(oneLine(refused)).contains("refused access").contains(otherKey.toString());
        assertThat(down.status()).isEqualTo(1);
        assertThat(oneLine(down)).contains("cannot reach").contains("127.0.0.1:" + closedPort);
        assertThat(noHostKey.status()).isEqualTo(2);
        assertThat(oneLine(noHostKey)).contains("--host-key");
    }

    private static String oneLine(Run run) {
        assertThat(run.err().lines().toList()).as(run.err()).hasSize(1);
        return run.err().strip();
    }

    private record Run(int status, String out, String err) {
    }

    private static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
