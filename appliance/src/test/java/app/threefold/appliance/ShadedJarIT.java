package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code threefold.jar} as an operator runs it: a separate process, stopped by SIGTERM. */
class ShadedJarIT {

    private static final Pattern READY = Pattern.compile("Threefold is ready at http://localhost:(\\d+)/");
    private final Path jar = Path.of(System.getProperty("threefold.jar", "target/threefold.jar"));
    private final String java = ProcessHandle.current().info().command().orElse("java");

    @TempDir
    Path dataDir;

    @Test
    void helpPrintsTheCommandsAndExitsWithStatusZero() throws Exception {
        Process process = new ProcessBuilder(java, "-jar", jar.toString(), "--help").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(output).contains("Usage: threefold", "serve", "init");
    }

    @Test
    void serveAnswersHealthzAndOnSigtermStopsPostgresqlAndExits() throws Exception {
        Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
                "serve", "--data-dir", dataDir.toString(), "--http-port", "0", "--sftp-port", "0")
                .redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                    Matcher ready = READY.matcher(line);
                    if (ready.find()) {
                        port.complete(Integer.parseInt(ready.group(1)));
                    }
                }
                port.completeExceptionally(new AssertionError("serve ended before it was ready:\n"
                        + String.join("\n", lines)));
            } catch (Exception e) {
                port.completeExceptionally(e);
            }
        });
        try {
            int httpPort = port.get(120, TimeUnit.SECONDS);
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"ok\"", "\"database\":\"up\"");
            assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).exists();
        } finally {
            // SIGTERM through the handle: Process.destroy() would also close our end of its output.
            process.toHandle().destroy();
        }

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join(10_000);
        // 143 = 128 + SIGTERM: the JVM's status after it ran its shutdown hooks.
        assertThat(process.exitValue()).as(String.join("\n", lines)).isEqualTo(143);
        assertThat(lines).anyMatch(l -> l.contains("Embedded PostgreSQL stopped"))
                .anyMatch(l -> l.contains("Threefold stopped"));
        assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
        assertThat(Files.readString(dataDir.resolve("logs").resolve("threefold.log")))
                .contains("Stopping web server", "Embedded PostgreSQL stopped");
    }
}
