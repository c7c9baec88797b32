package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.S3Server;
import app.threefold.backend.S3Settings;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "The NAS died": an appliance backs up a laptop over SFTP (twice) and a folder of the NAS, mirrors
 * to a bucket (s3proxy on 127.0.0.1) and a folder; its whole data directory is deleted; {@code
 * recover --from s3:…} rebuilds it. Every file of every snapshot restores byte-identical (judged by
 * restic), the API lists both with their history, and the laptop backs up again and that mirrors.
 */
class DisasterRecoveryIT {
    private static final String ADMIN_PASSWORD = "correct horse battery";
    private static final String RECOVERY = "repository secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void anApplianceRecoveredFromItsBucketCopyHasEveryFileOfEverySnapshotAndCarriesOn() throws Exception {
        Path dataDir = tmp.resolve("data");
        Files.writeString(tmp.resolve("repo-password"), RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), ADMIN_PASSWORD + "\n");
        assertThat(run(Map.of(), "init", "--data-dir", dataDir.toString(), "--password-file", tmp.resolve("repo-password").toString(),
                "--admin-user", "admin", "--admin-password-file", tmp.resolve("admin-password").toString()).status()).isZero();
        Path laptop = tmp.resolve("laptop");
        TestTrees.write(laptop.resolve("photos/cat.jpg"), TestTrees.bytes(new Random(3), 300_000));
        TestTrees.write(laptop.resolve("thesis.txt"), "chapter one\n".getBytes(StandardCharsets.UTF_8));
        Path nasFolder = TestTrees.awkward(tmp.resolve("nas photos"), 7);
        TestTrees.write(nasFolder.resolve("video.bin"), TestTrees.bytes(new Random(9), 20 << 20));
        // The NAS's own folder, backed up as a local source's run does (FolderSource into the engine).
        Run backup = run(Map.of(), "backup", "--data-dir", dataDir.toString(), "--device", "nas-photos", nasFolder.toString());
        assertThat(backup.status()).as(backup.err()).isZero();
        Map<String, Path> expected = new TreeMap<>();

        try (S3Server s3 = S3Server.start()) {
            String bucket = s3.createBucket();
            S3Settings copy = s3.settings(bucket, "threefold");
            Path usb = tmp.resolve("usb/threefold");
            Files.createDirectories(usb.getParent());
            try (Appliance appliance = start(dataDir)) {
                assertThat(send(appliance, "POST", "/api/v1/devices",
                        "{\"name\": \"anna-laptop\", \"password\": \"anna's password\"}").statusCode()).isEqualTo(201);
                upload(appliance, laptop, "anna's password");
                waitForSnapshots(appliance, "anna-laptop", 1);
                expected.put(snapshots(appliance, "anna-laptop").get(0), copyOf(laptop, "laptop-1"));
                Files.writeString(laptop.resolve("thesis.txt"), "chapter one\nchapter two\n");
                TestTrees.write(laptop.resolve("photos/dog.jpg"), TestTrees.bytes(new Random(4), 200_000));
                upload(appliance, laptop, "anna's password");
                waitForSnapshots(appliance, "anna-laptop", 2);
                expected.put(snapshots(appliance, "anna-laptop").get(0), copyOf(laptop, "laptop-2"));
                expected.put(snapshots(appliance, "nas-photos").get(0), nasFolder);

                long s3Target = addTarget(appliance, "{\"type\": \"s3\", \"name\": \"Bucket\", \"endpoint\": \""
                        + copy.endpoint() + "\", \"region\": \"" + S3Server.REGION + "\", \"bucket\": \"" + bucket
                        + "\", \"prefix\": \"threefold\", \"accessKey\": \"" + S3Server.ACCESS_KEY + "\", \"secretKey\": \""
                        + S3Server.SECRET_KEY + "\"}");
                long folderTarget = addTarget(appliance, "{\"type\": \"folder\", \"name\": \"USB disk\", \"path\": \"" + usb + "\"}");
                syncAndWait(appliance, s3Target);
                syncAndWait(appliance, folderTarget);
            }

            // The NAS dies: nothing of its data directory is left.
            deleteAll(dataDir);
            Map<String, String> env = new HashMap<>(s3.resticEnvironment());
            Run recover = run(env, "recover", "--data-dir", dataDir.toString(), "--from", copy.resticRepository(),
                    "--password-file", tmp.resolve("repo-password").toString(), "--admin-user", "admin",
                    "--admin-password-file", tmp.resolve("admin-password").toString());
            assertThat(recover.status()).as(recover.err() + recover.out()).isZero();
            assertThat(recover.out()).contains("Copying repository", "3 snapshots", "anna-laptop", "nas-photos",
                    "set again", "Recovered copy");

            // Every file of every snapshot, as restic restores it from the recovered repository.
            ResticCli restic = new ResticCli(dataDir.resolve("repository"), RECOVERY);
            assertThat(restic.ok("check")).contains("no errors were found");
            for (Map.Entry<String, Path> e : expected.entrySet()) {
                Path restored = tmp.resolve("restored-" + e.getKey().substring(0, 8));
                restic.ok("restore", e.getKey(), "--target", restored.toString());
                assertThat(tree(restored)).as("snapshot " + e.getKey()).isEqualTo(tree(e.getValue()));
            }

            try (Appliance appliance = start(dataDir)) {
                JsonNode devices = JSON.readTree(send(appliance, "GET", "/api/v1/devices", null).body());
                assertThat(devices.findValuesAsText("name")).containsExactly("anna-laptop");
                assertThat(devices.get(0).path("password").asBoolean()).isFalse();
                assertThat(snapshots(appliance, "anna-laptop")).hasSize(2);
                assertThat(snapshots(appliance, "nas-photos")).hasSize(1);
                JsonNode targets = JSON.readTree(send(appliance, "GET", "/api/v1/targets", null).body());
                assertThat(targets.findValuesAsText("name")).containsExactly("Recovered copy");

                // The device gets its password again, backs up, and the backup reaches the bucket.
                assertThat(send(appliance, "PATCH", "/api/v1/devices/anna-laptop", "{\"password\": \"anna's new password\"}")
                        .statusCode()).isEqualTo(200);
                TestTrees.write(laptop.resolve("after the fire.txt"), "still here\n".getBytes(StandardCharsets.UTF_8));
                upload(appliance, laptop, "anna's new password");
                waitForSnapshots(appliance, "anna-laptop", 3);
                String newest = snapshots(appliance, "anna-laptop").get(0);
                syncAndWait(appliance, targets.get(0).path("id").asLong());
                ResticCli onBucket = new ResticCli(copy.resticRepository(), RECOVERY, s3.resticEnvironment());
                assertThat(onBucket.ok("snapshots", "--json")).contains(newest);
                Path restored = tmp.resolve("restored-after");
                onBucket.ok("restore", newest, "--target", restored.toString());
                assertThat(tree(restored)).isEqualTo(tree(laptop));
            }
        }
    }

    private Appliance start(Path dataDir) {
        return Appliance.start(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), Map.of()), "test");
    }

    private static Path copyOf(Path folder, String name) throws IOException {
        Path to = folder.resolveSibling(name);
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(folder.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    /** Relative path → content (SHA-256 in hex for files, "dir" for folders). */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.naturalOrder()).toList()) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty()) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(rel, "dir");
                } else {
                    out.put(rel, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(Files.readAllBytes(p))));
                }
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static void deleteAll(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private void upload(Appliance appliance, Path folder, String password) throws Exception {
        // Upload the folder's contents to the device's root, as a backup script mirrors a folder.
        StringBuilder batch = new StringBuilder();
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.sorted().toList()) {
                String rel = folder.relativize(p).toString();
                if (rel.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    batch.append("-mkdir \"").append(rel).append("\"\n");
                } else {
                    batch.append("put -p \"").append(p).append("\" \"").append(rel).append("\"\n");
                }
            }
        }
        ProcessBuilder sftp = new ProcessBuilder("sshpass", "-p", password, "sftp", "-o", "BatchMode=no",
                "-o", "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-P", String.valueOf(appliance.sftpPort()), "-b", "-", "anna-laptop@127.0.0.1").redirectErrorStream(true);
        Process p = sftp.start();
        p.getOutputStream().write(batch.toString().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private List<String> snapshots(Appliance appliance, String device) throws Exception {
        JsonNode list = JSON.readTree(send(appliance, "GET", "/api/v1/devices/" + device + "/snapshots", null).body());
        List<String> ids = new ArrayList<>();
        list.forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }

    private void waitForSnapshots(Appliance appliance, String device, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (snapshots(appliance, device).size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(snapshots(appliance, device)).hasSize(count);
    }

    private long addTarget(Appliance appliance, String json) throws Exception {
        HttpResponse<String> added = send(appliance, "POST", "/api/v1/targets", json);
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        return JSON.readTree(added.body()).path("id").asLong();
    }

    private void syncAndWait(Appliance appliance, long target) throws Exception {
        HttpResponse<String> started = send(appliance, "POST", "/api/v1/targets/" + target + "/sync", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        long job = JSON.readTree(started.body()).path("job").asLong();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        JsonNode state;
        do {
            Thread.sleep(100);
            state = JSON.readTree(send(appliance, "GET", "/api/v1/jobs/" + job, null).body());
        } while (!state.path("state").asText().matches("succeeded|failed") && System.nanoTime() < deadline);
        assertThat(state.path("state").asText()).as(state.toString()).isEqualTo("succeeded");
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

    record Run(int status, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
