package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole appliance: a device made through the API uploads with OpenSSH sftp, and its snapshot shows in the API. */
class SftpApplianceTest {
    private static final String ADMIN_PASSWORD = "correct horse battery";
    private static final String RECOVERY = "repository secret";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void aDeviceCreatedThroughTheApiUploadsAndItsSnapshotAppearsInTheApi() throws Exception {
        Path dataDir = tmp.resolve("data");
        Files.createDirectories(dataDir);
        Files.writeString(tmp.resolve("repo-password"), RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), ADMIN_PASSWORD + "\n");
        assertThat(Main.run(new String[] {"init", "--data-dir", dataDir.toString(), "--password-file", tmp.resolve("repo-password").toString(),
                "--admin-user", "admin", "--admin-password-file", tmp.resolve("admin-password").toString()}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()))).isZero();
        Path source = tmp.resolve("photos");
        TestTrees.write(source.resolve("cat.jpg"), TestTrees.bytes(new java.util.Random(3), 300_000));
        TestTrees.write(source.resolve("notes/ünï cødé.txt"), "hello\n".getBytes(StandardCharsets.UTF_8));

        try (Appliance appliance = Appliance.start(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), Map.of()), "test")) {
            HttpResponse<String> created = send(appliance, "POST", "/api/v1/devices",
                    "{\"name\": \"anna-laptop\", \"password\": \"anna's password\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            HttpResponse<String> refused = send(appliance, "POST", "/api/v1/devices", "{\"name\": \"../etc\", \"password\": \"long enough\"}");
            assertThat(refused.statusCode()).isEqualTo(422);
            assertThat(refused.body()).contains("Invalid device name");
            assertThat(send(appliance, "GET", "/api/v1/devices", null).body()).contains("anna-laptop");
            assertThat(send(appliance, "GET", "/api/v1/ssh", null).body()).contains("ssh-ed25519", "SHA256:");

            ProcessBuilder sftp = new ProcessBuilder("sshpass", "-p", "anna's password", "sftp", "-o", "BatchMode=no",
                    "-o", "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    "-P", String.valueOf(appliance.sftpPort()), "-b", "-", "anna-laptop@127.0.0.1").redirectErrorStream(true);
            Process p = sftp.start();
            p.getOutputStream().write(("put -rp " + source + "\n").getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();

            String snapshots = "[]";
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (snapshots.equals("[]") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                snapshots = send(appliance, "GET", "/api/v1/devices/anna-laptop/snapshots", null).body();
            }
            assertThat(snapshots).contains("\"files\":2", "\"bytes\":300006", "\"parent\":null", "\"bytesAdded\"");
            assertThat(send(appliance, "GET", "/api/v1/devices/nobody/snapshots", null).statusCode()).isEqualTo(404);
        }
        Path restored = tmp.resolve("restored");
        new ResticCli(dataDir.resolve("repository"), RECOVERY).ok("restore", "latest", "--host", "anna-laptop", "--target", restored.toString());
        assertThat(Files.readAllBytes(restored.resolve("photos/cat.jpg"))).isEqualTo(Files.readAllBytes(source.resolve("cat.jpg")));
    }

    private HttpResponse<String> send(Appliance appliance, String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.httpPort() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

}
