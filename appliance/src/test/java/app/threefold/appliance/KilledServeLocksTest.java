package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} killed with SIGKILL while a device uploads, as a power cut or the OOM killer would:
 * after a restart, later uploads and a clean stop, plain restic must find no lock of the dead
 * process in the repository and check it.
 */
class KilledServeLocksTest {
    private static final String ADMIN_PASSWORD = "correct horse battery";
    private static final String RECOVERY = "repository secret";
    private static final String DEVICE_PASSWORD = "anna's password";
    private static final Pattern READY = Pattern.compile("Threefold is ready at http://127.0.0.1:(\\d+)/");

    @TempDir
    Path tmp;
    private final List<Process> started = new ArrayList<>();

    /** A {@code serve} in a JVM of its own, and its HTTP port once it is ready. */
    private record Serve(Process process, int httpPort, List<String> output) {
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void afterServeIsKilledDuringAnUploadAndRestartedResticFindsNoLockOfTheDeadProcess() throws Exception {
        Path dataDir = Files.createDirectories(tmp.resolve("data"));
        Path repository = dataDir.resolve("repository");
        ResticCli restic = new ResticCli(repository, RECOVERY);
        init(dataDir);
        int sftpPort = freePort();

        Serve first = serve(dataDir, sftpPort);
        createDevice(first.httpPort());
        Path photos = tmp.resolve("photos");
        TestTrees.write(photos.resolve("big.bin"), TestTrees.bytes(new Random(7), 64 << 20));
        Process upload = sftp(sftpPort, "put -rp " + photos + "\n", false);
        awaitLockFile(repository, first);
        Thread.sleep(300);
        long killed = first.process().pid();
        first.process().toHandle().destroyForcibly();
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        upload.destroyForcibly().waitFor();
        assertThat(resticLockPids(restic)).as("the killed process's lock is left").contains(killed);

        Serve second = serve(dataDir, sftpPort);
        assertThat(resticLockPids(restic)).as("locks once restarted").doesNotContain(killed);
        Path notes = tmp.resolve("notes");
        TestTrees.write(notes.resolve("later.txt"), "uploaded after the restart\n".getBytes(StandardCharsets.UTF_8));
        Process later = sftp(sftpPort, "put -rp " + notes + "\n", true);
        String out = new String(later.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(later.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(later.exitValue()).as(out).isZero();
        awaitNoLockFiles(repository, second);

        // SIGTERM: the clean stop an operator or systemd gives.
        second.process().toHandle().destroy();
        assertThat(second.process().waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(second.output()).anyMatch(l -> l.contains("Threefold stopped"));

        assertThat(resticLockPids(restic)).isEmpty();
        restic.ok("check");
        Path restored = tmp.resolve("restored");
        restic.ok("restore", "latest", "--host", "anna-laptop", "--target", restored.toString());
        assertThat(restored.resolve("notes/later.txt")).hasContent("uploaded after the restart");
    }

    private void init(Path dataDir) throws Exception {
        Files.writeString(tmp.resolve("repo-password"), RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), ADMIN_PASSWORD + "\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(Main.run(new String[] {"init", "--data-dir", dataDir.toString(), "--password-file",
                tmp.resolve("repo-password").toString(), "--admin-user", "admin", "--admin-password-file",
                tmp.resolve("admin-password").toString()}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err))).as(err.toString()).isZero();
    }

    private Serve serve(Path dataDir, int sftpPort) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                Main.class.getName(), "serve", "--data-dir", dataDir.toString(), "--bind", "127.0.0.1",
                "--http-port", "0", "--sftp-port", Integer.toString(sftpPort))
                .redirectErrorStream(true).start();
        started.add(process);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                    Matcher ready = READY.matcher(line);
                    if (ready.find()) {
                        port.complete(Integer.parseInt(ready.group(1)));
                    }
                }
                port.completeExceptionally(new AssertionError("serve ended before it was ready:\n" + String.join("\n", lines)));
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
        });
        return new Serve(process, port.get(3, TimeUnit.MINUTES), lines);
    }

    private void createDevice(int httpPort) throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/devices"))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                ("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"name\": \"anna-laptop\", \"password\": \"" + DEVICE_PASSWORD + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    /** OpenSSH sftp with {@code commands}; with {@code end} it quits after them, else it keeps the session open. */
    private static Process sftp(int port, String commands, boolean end) throws Exception {
        Process p = new ProcessBuilder("sshpass", "-p", DEVICE_PASSWORD, "sftp", "-o", "BatchMode=no",
                "-o", "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-P", Integer.toString(port), "-b", "-", "anna-laptop@127.0.0.1").redirectErrorStream(true).start();
        p.getOutputStream().write(commands.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        if (end) {
            p.getOutputStream().close();
        }
        return p;
    }

    private static void awaitLockFile(Path repository, Serve serve) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (lockFiles(repository).isEmpty()) {
            assertThat(System.nanoTime()).as("the upload's session took a lock:\n" + String.join("\n", serve.output()))
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The session ends when the client quits; its snapshot is committed and its lock removed shortly after. */
    private static void awaitNoLockFiles(Path repository, Serve serve) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!lockFiles(repository).isEmpty()) {
            assertThat(System.nanoTime()).as("locks left after the session ended:\n" + String.join("\n", serve.output()))
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static List<Path> lockFiles(Path repository) throws Exception {
        try (var files = Files.list(repository.resolve("locks"))) {
            return files.toList();
        }
    }

    /** The pids in the repository's lock files, as restic reads them. */
    private static List<Long> resticLockPids(ResticCli restic) throws Exception {
        List<Long> pids = new ArrayList<>();
        for (String id : restic.ok("--no-lock", "list", "locks").strip().lines().filter(l -> !l.isBlank()).toList()) {
            Matcher pid = Pattern.compile("\"pid\":\\s*(\\d+)").matcher(restic.ok("--no-lock", "cat", "lock", id));
            assertThat(pid.find()).isTrue();
            pids.add(Long.parseLong(pid.group(1)));
        }
        return pids;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
