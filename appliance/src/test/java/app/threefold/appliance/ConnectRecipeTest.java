package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rclone recipes on a device's Connect page, followed literally with the real rclone against
 * the appliance's SFTP server: for a password device from the environment and from a
 * configuration file, and for a key device.
 */
class ConnectRecipeTest {
    private static final String ADMIN_PASSWORD = "correct horse battery";
    private static final String DEVICE_PASSWORD = "laptop pass with spaces & symbols!";

    @TempDir
    Path tmp;

    @Test
    void thePasswordRecipesAndTheKeyRecipeEachConnectAndUpload() throws Exception {
        Path dataDir = tmp.resolve("data");
        Files.createDirectories(dataDir);
        Files.writeString(tmp.resolve("repo-password"), "repository secret\n");
        Files.writeString(tmp.resolve("admin-password"), ADMIN_PASSWORD + "\n");
        assertThat(Main.run(new String[] {"init", "--data-dir", dataDir.toString(), "--password-file", tmp.resolve("repo-password").toString(),
                "--admin-user", "admin", "--admin-password-file", tmp.resolve("admin-password").toString()}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()))).isZero();
        Path keyHome = home("key-home");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                keyHome.resolve(".ssh/id_ed25519").toString()).redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).isZero();
        String publicKey = Files.readString(keyHome.resolve(".ssh/id_ed25519.pub")).strip();

        try (Appliance appliance = Appliance.start(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), Map.of()), "test")) {
            api(appliance, "{\"name\": \"laptop\", \"password\": \"" + DEVICE_PASSWORD + "\"}");
            api(appliance, "{\"name\": \"desktop\", \"publicKey\": \"" + publicKey + "\"}");
            HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
            login(appliance, browser);
            String laptop = get(appliance, browser, "/devices/laptop/connect");
            String desktop = get(appliance, browser, "/devices/desktop/connect");
            assertThat(laptop).doesNotContain("key_file");
            assertThat(desktop).contains("key_file").doesNotContain("rclone obscure");
            assertThat(Pattern.compile("data-copy").matcher(laptop).results().count())
                    .as("a copy button on every snippet").isEqualTo(Pattern.compile("<pre").matcher(laptop).results().count());

            // 1. The environment recipe, pasted into a shell with the password typed in place of the placeholder.
            Path envHome = home("env-home");
            String env = snippet(laptop, "rclone-env-password").replace("YOUR-DEVICE-PASSWORD", DEVICE_PASSWORD);
            shell(envHome, env);
            awaitSnapshots(appliance, "laptop", 1);

            // 2. The configuration file: rclone obscure's output after "pass =", then the sync command.
            Path fileHome = home("file-home");
            Files.writeString(fileHome.resolve("Documents/second.txt"), "another file");
            String obscured = shell(fileHome, snippet(laptop, "rclone-obscure").replace("YOUR-DEVICE-PASSWORD", DEVICE_PASSWORD)).strip();
            Path config = fileHome.resolve(".config/rclone/rclone.conf");
            Files.createDirectories(config.getParent());
            Files.writeString(config, snippet(laptop, "rclone-config-password").replace("OUTPUT-OF-RCLONE-OBSCURE", obscured) + "\n");
            shell(fileHome, snippet(laptop, "rclone-sync"));
            awaitSnapshots(appliance, "laptop", 2);

            // 3. The key recipe, with the private key where the recipe says.
            Path keyConfig = keyHome.resolve(".config/rclone/rclone.conf");
            Files.createDirectories(keyConfig.getParent());
            Files.writeString(keyConfig, snippet(desktop, "rclone-config-key") + "\n");
            shell(keyHome, snippet(desktop, "rclone-sync"));
            awaitSnapshots(appliance, "desktop", 1);
        }
    }

    private Path home(String name) throws Exception {
        Path home = tmp.resolve(name);
        Files.createDirectories(home.resolve(".ssh"));
        Files.createDirectories(home.resolve("Documents"));
        Files.writeString(home.resolve("Documents/letter.txt"), "Dear friend,\nthe backup works.\n");
        return home;
    }

    /** Runs {@code script} in bash with {@code home} as HOME and no other rclone configuration; its output. */
    private static String shell(Path home, String script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-euc", script).directory(home.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RCLONE_"));
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("XDG_CONFIG_HOME");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(script + "\n" + out).isZero();
        return out;
    }

    /** The text of the snippet marked {@code data-testid="id"}, as the browser shows it (and copies it). */
    private static String snippet(String html, String id) {
        Matcher m = Pattern.compile("data-testid=\"" + id + "\"><code>(.*?)</code></pre>", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as(id + " in " + html).isTrue();
        return m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", "\"").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
    }

    private static void awaitSnapshots(Appliance appliance, String device, long count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        long n = 0;
        while (System.nanoTime() < deadline && (n = appliance.catalog().jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM snapshots WHERE device = :d").bind("d", device).mapTo(Long.class).one())) < count) {
            Thread.sleep(100);
        }
        assertThat(n).as("snapshots of " + device).isEqualTo(count);
    }

    private static void api(Appliance appliance, String json) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + appliance.httpPort() + "/api/v1/devices"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private static void login(Appliance appliance, HttpClient browser) throws Exception {
        Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(get(appliance, browser, "/login"));
        assertThat(csrf.find()).isTrue();
        String form = String.join("&", List.of("_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8),
                "name=admin", "password=" + URLEncoder.encode(ADMIN_PASSWORD, StandardCharsets.UTF_8)));
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.httpPort() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    }

    private static String get(Appliance appliance, HttpClient browser, String path) throws Exception {
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + appliance.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }
}
