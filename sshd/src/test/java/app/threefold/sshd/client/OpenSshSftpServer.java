package app.threefold.sshd.client;

import app.threefold.backend.SftpSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * OpenSSH's own sshd on a loopback port with a throwaway config and host key, serving SFTP with
 * OpenSSH's {@code sftp-server}, which offers no {@code check-file-name}: the generic server an
 * {@link SftpBackend} meets outside a pairing. The test is skipped where sshd cannot run.
 */
final class OpenSshSftpServer implements AutoCloseable {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final Path SFTP_SERVER = Path.of("/usr/lib/openssh/sftp-server");
    final Path keyFile;
    final String hostKey;
    final int port;
    private final Process sshd;

    OpenSshSftpServer(Path tmp) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(SSHD) && Files.isExecutable(SFTP_SERVER),
                "OpenSSH's sshd and sftp-server are not installed");
        Path dir = Files.createDirectories(tmp.resolve("openssh"));
        keyFile = dir.resolve("id_ed25519");
        keygen(keyFile);
        Path host = dir.resolve("host_ed25519");
        keygen(host);
        Files.copy(dir.resolve("id_ed25519.pub"), dir.resolve("authorized_keys"));
        hostKey = fingerprint(host);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("sshd_config"), """
                Port %d
                ListenAddress 127.0.0.1
                HostKey %s
                PidFile none
                AuthorizedKeysFile %s
                StrictModes no
                UsePAM no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                Subsystem sftp %s
                """.formatted(port, host, dir.resolve("authorized_keys"), SFTP_SERVER));
        Files.createDirectories(Path.of("/run/sshd"));
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        for (int i = 0; i < 100; i++) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        sshd.destroy();
        Assumptions.abort("OpenSSH's sshd did not start here: " + Files.readString(dir.resolve("sshd.log")));
    }

    SftpSettings settings(String absolutePath) {
        return new SftpSettings(System.getProperty("user.name"), "127.0.0.1", port, absolutePath, hostKey, keyFile, null);
    }

    private static void keygen(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file.toString())
                .redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ssh-keygen failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    private static String fingerprint(Path key) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        return out.split(" ")[1];
    }

    @Override
    public void close() {
        sshd.destroy();
    }
}
