package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.ResticCli;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code serve} process killed (SIGKILL) in the middle of a deep upload (2,000 folders,
 * one inside the other) and of a wide one (20,000 files in one folder): each time it starts again
 * by itself, replays what was uploaded into a snapshot tagged recovered, reports a session it had
 * to set aside, and restic accepts the repository.
 */
class CrashSuiteIT {
    private static final Pattern READY = Pattern.compile("Threefold is ready at http://[^/]+:(\\d+)/");
    private static final Pattern SFTP = Pattern.compile("SFTP listening on [^:]+:(\\d+)");
    private static final String ADMIN_PASSWORD = "correct horse battery";
    private static final String RECOVERY = "repository secret";
    private static final String DEVICE_PASSWORD = "anna's password";
    private final Path jar = Path.of(System.getProperty("threefold.jar", "target/threefold.jar"));
    private final String java = ProcessHandle.current().info().command().orElse("java");
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private record Serve(Process process, int httpPort, int sftpPort, List<String> lines) {
    }

    private Serve serve(Path dataDir) throws Exception {
        Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
                "serve", "--data-dir", dataDir.toString(), "--http-port", "0", "--sftp-port", "0", "--bind", "127.0.0.1")
                .redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> http = new CompletableFuture<>();
        CompletableFuture<Integer> sftp = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                    Matcher ready = READY.matcher(line);
                    if (ready.find()) {
                        http.complete(Integer.parseInt(ready.group(1)));
                    }
                    Matcher listening = SFTP.matcher(line);
                    if (listening.find()) {
                        sftp.complete(Integer.parseInt(listening.group(1)));
                    }
                }
            } catch (Exception e) {
                http.completeExceptionally(e);
            }
            http.completeExceptionally(new AssertionError("serve ended before it was ready:\n" + String.join("\n", lines)));
        });
        try {
            return new Serve(process, http.get(3, TimeUnit.MINUTES), sftp.get(10, TimeUnit.SECONDS), lines);
        } catch (Exception e) {
            // A serve that never became ready must not outlive the test.
            process.destroy();
            process.waitFor(2, TimeUnit.MINUTES);
            throw e;
        }
    }

    private static void kill(Serve s) throws Exception {
        s.process().toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        s.process().destroyForcibly().waitFor(1, TimeUnit.MINUTES);
    }

    private static void stop(Serve s) throws Exception {
        s.process().toHandle().destroy();
        assertThat(s.process().waitFor(5, TimeUnit.MINUTES)).isTrue();
    }

    private Process sftp(Serve s, String batch) throws Exception {
        Files.writeString(tmp.resolve("batch"), batch);
        return new ProcessBuilder("sshpass", "-p", DEVICE_PASSWORD, "sftp", "-o", "BatchMode=no", "-o", "PubkeyAuthentication=no",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-P", String.valueOf(s.sftpPort()),
                "-b", tmp.resolve("batch").toString(), "laptop@127.0.0.1").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("sftp.log").toFile()).start();
    }

    private static long journalLines(Path dataDir) throws Exception {
        long n = 0;
        try (Stream<Path> sessions = Files.list(dataDir.resolve("sftp-sessions"))) {
            for (Path s : sessions.toList()) {
                Path j = s.resolve("journal");
                if (Files.exists(j)) {
                    try (Stream<String> lines = Files.lines(j)) {
                        n += lines.count();
                    }
                }
            }
        }
        return n;
    }

    private static void awaitJournal(Path dataDir, long lines, Process client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (journalLines(dataDir) < lines) {
            assertThat(client.isAlive()).as("the upload ended before the appliance could be killed").isTrue();
            assertThat(System.nanoTime()).as("the upload got no further than " + journalLines(dataDir) + " changes").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private String get(Serve s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.httpPort() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void serveKilledDuringADeepAndAWideUploadStartsAgainByItselfAndRecoversWhatWasUploaded() throws Exception {
        Path dataDir = tmp.resolve("data");
        Files.createDirectories(dataDir);
        Files.writeString(tmp.resolve("repo-password"), RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), ADMIN_PASSWORD + "\n");
        Process init = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "init",
                "--data-dir", dataDir.toString(), "--password-file", tmp.resolve("repo-password").toString(),
                "--admin-user", "admin", "--admin-password-file", tmp.resolve("admin-password").toString())
                .redirectErrorStream(true).start();
        String initOut = new String(init.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(init.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(init.exitValue()).as(initOut).isZero();
        Path note = tmp.resolve("note.txt");
        Files.writeString(note, "a file inside the deep tree\n");

        // 1. Deep: a folder inside a folder, 2,000 times, a file every 100 levels; killed half way.
        Serve first = serve(dataDir);
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.httpPort() + "/api/v1/devices"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"laptop\", \"password\": \"" + DEVICE_PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            deep.append("mkdir d\ncd d\n");
            if (i % 100 == 99) {
                deep.append("put ").append(note).append(" note-").append(i + 1).append(".txt\n");
            }
        }
        Process client = sftp(first, deep.toString());
        awaitJournal(dataDir, 1000, client);
        kill(first);
        client.destroyForcibly().waitFor(1, TimeUnit.MINUTES);

        Serve second = serve(dataDir);
        String snapshots = get(second, "/api/v1/devices/laptop/snapshots");
        assertThat(snapshots).contains("\"recovered\":true");
        assertThat(String.join("\n", second.lines())).doesNotContain("OutOfMemoryError", "StackOverflowError");

        // 2. Wide: 20,000 files in one folder; killed once a quarter of them are in.
        Path wide = tmp.resolve("wide");
        Files.createDirectories(wide);
        for (int i = 0; i < 20_000; i++) {
            Files.writeString(wide.resolve(String.format("file-%05d.txt", i)), "file " + i + "\n");
        }
        client = sftp(second, "put -r " + wide + "\n");
        awaitJournal(dataDir, 5000, client);
        kill(second);
        client.destroyForcibly().waitFor(1, TimeUnit.MINUTES);
        // A copy of the wide session, damaged in the middle of its journal, stands for one that cannot be replayed.
        Path session;
        try (Stream<Path> s = Files.list(dataDir.resolve("sftp-sessions"))) {
            session = s.filter(p -> Files.exists(p.resolve("journal"))).findFirst().orElseThrow();
        }
        Path damaged = dataDir.resolve("sftp-sessions").resolve("zz-damaged");
        Files.createDirectories(damaged);
        List<String> journal = Files.readAllLines(session.resolve("journal"));
        journal.set(1, "{\"op\": \"put\", \"pa");
        Files.write(damaged.resolve("journal"), journal.subList(0, 10));

        Serve third = serve(dataDir);
        try {
            String after = get(third, "/api/v1/devices/laptop/snapshots");
            assertThat(after.split("\"recovered\":true", -1)).hasSize(3);
            assertThat(dataDir.resolve("sessions-quarantine/zz-damaged/WHY.txt")).content().contains("line 2");
            assertThat(third.lines()).anyMatch(l -> l.contains("the session zz-damaged could not be replayed")
                    && l.contains("set aside in") && l.contains("the appliance starts without it"));
            try (Stream<Path> left = Files.list(dataDir.resolve("sftp-sessions"))) {
                assertThat(left).isEmpty();
            }
        } finally {
            stop(third);
        }
        // A killed process leaves its lock file; restic's exclusive lock for check refuses any lock,
        // stale or not, so remove the stale ones (this host, process gone) as an operator would.
        new ResticCli(dataDir.resolve("repository"), RECOVERY).ok("unlock");
        String check = new ResticCli(dataDir.resolve("repository"), RECOVERY).ok("check", "--read-data");
        assertThat(check).contains("no errors were found");
        String listing = new ResticCli(dataDir.resolve("repository"), RECOVERY).ok("ls", "latest");
        assertThat(listing).contains("/d".repeat(100) + "/note-100.txt");
        // sftp sends a folder's files in the order the disk lists them: count what got in, not which.
        assertThat(listing.lines().filter(l -> l.startsWith("/wide/file-")).count()).isGreaterThan(2000);
    }
}
