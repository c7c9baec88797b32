package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.engine.Engine;
import app.threefold.repository.ResticCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux setup script end to end, as a person would use it: "Set up this computer" in the
 * panel, the script fetched once over its link into a fresh home folder on a machine without a
 * systemd user session, so it takes the cron path (a stand-in {@code crontab} keeps the table in
 * the test's folder, never the machine's). Its first backup goes over real SFTP to the real
 * appliance and becomes a snapshot that restic restores byte-identical; a second run changes
 * nothing; the link is refused afterwards; the private key is nowhere in the data directory or
 * the catalog.
 */
class LinuxSetupScriptTest {
    private static final String ADMIN_PASSWORD = "correct horse battery";
    private static final String REPOSITORY_PASSWORD = "repository secret";

    @TempDir
    Path tmp;

    @Test
    void theScriptSetsUpADailyBackupWhoseFirstRunIsASnapshotAndASecondRunChangesNothing() throws Exception {
        Path dataDir = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("repo-password"), REPOSITORY_PASSWORD + "\n");
        Files.writeString(tmp.resolve("admin-password"), ADMIN_PASSWORD + "\n");
        assertThat(Main.run(new String[] {"init", "--data-dir", dataDir.toString(), "--password-file",
                tmp.resolve("repo-password").toString(), "--admin-user", "admin", "--admin-password-file",
                tmp.resolve("admin-password").toString()}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).isZero();
        Path home = fakeHome();

        try (Appliance appliance = Appliance.start(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), Map.of()), "test")) {
            Panel panel = new Panel(appliance);
            panel.login();
            panel.createDevice("desktop", "desktop password");
            String form = panel.get("/devices/desktop/setup?os=linux");
            assertThat(form).contains("Documents\nDesktop\nPictures", ".cache/**");
            String ready = panel.post("/devices/desktop/setup", Map.of("os", "linux", "folders", "Documents\nPictures",
                    "excludes", ".cache/**\n*.tmp", "at", "01:30", "rhythmHours", "24"));
            Matcher command = Pattern.compile("curl -sS (http://127\\.0\\.0\\.1:\\d+/setup-script/[A-Za-z0-9_-]+) \\| sh").matcher(ready);
            assertThat(command.find()).as(ready).isTrue();
            String url = command.group(1);

            // Fetched once with curl, as the page's download does, so it can be run twice.
            Run fetch = shell(home, "curl -sS -o setup.sh " + url);
            assertThat(fetch.exit()).as(fetch.output()).isZero();
            String script = Files.readString(home.resolve("setup.sh"));
            assertThat(script).startsWith("#!/bin/sh");

            Run first = shell(home, "sh setup.sh");
            assertThat(first.exit()).as(first.output()).isZero();
            assertThat(first.output()).contains("wrote " + home.resolve(".config/threefold/rclone.conf"),
                    "added to your crontab", "daily at 01:30 by cron", "To undo everything", "rm -r '" + home.resolve(".config/threefold") + "'",
                    "crontab -l | grep -v '# threefold-backup$' | crontab -");
            Path dir = home.resolve(".config/threefold");
            assertThat(Files.readString(dir.resolve("rclone.conf"))).contains("user = desktop", "port = " + appliance.sftpPort(),
                    "key_file = " + dir.resolve("id_ed25519"), "known_hosts_file = " + dir.resolve("known_hosts"));
            assertThat(Files.readString(dir.resolve("known_hosts"))).startsWith("[127.0.0.1]:" + appliance.sftpPort() + " ssh-ed25519 ");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("id_ed25519")))).isEqualTo("rw-------");
            assertThat(Files.readString(tmp.resolve("crontab")))
                    .isEqualTo("MAILTO=me\n30 1 * * * /bin/sh \"" + dir.resolve("backup.sh") + "\" >> \"" + dir.resolve("backup.log")
                            + "\" 2>&1 # threefold-backup\n");
            awaitSnapshots(appliance, "desktop", 1);

            // Restored by restic itself: exactly the chosen folders, byte for byte, nothing left out crept in.
            Path restored = tmp.resolve("restored");
            new ResticCli(Engine.repositoryDir(dataDir), REPOSITORY_PASSWORD).ok("restore", "latest", "--host", "desktop",
                    "--target", restored.toString());
            assertThat(tree(restored)).isEqualTo(tree(home, "Documents", "Pictures"));
            assertThat(restored.resolve("Downloads")).doesNotExist();
            assertThat(restored.resolve("Documents/.cache")).doesNotExist();

            // A second run: every file as it was, the same crontab, no new snapshot.
            Map<String, String> before = state(dir);
            String crontab = Files.readString(tmp.resolve("crontab"));
            Run second = shell(home, "sh setup.sh");
            assertThat(second.exit()).as(second.output()).isZero();
            assertThat(second.output()).doesNotContain("wrote ", "added to your crontab");
            assertThat(state(dir)).isEqualTo(before);
            assertThat(Files.readString(tmp.resolve("crontab"))).isEqualTo(crontab);
            Thread.sleep(2_000);
            awaitSnapshots(appliance, "desktop", 1);

            // The link worked once: piped into sh now, it says why and fails.
            Run reused = shell(home, "curl -sS " + url + " | sh");
            assertThat(reused.exit()).isNotZero();
            assertThat(reused.output()).contains("Threefold: This setup link was already used");

            // The private key left the appliance in the script only.
            String keyLine = privateKeyLine(Files.readString(dir.resolve("id_ed25519")));
            assertThat(filesContaining(dataDir, keyLine.getBytes(StandardCharsets.US_ASCII))).isEmpty();
            assertThat(catalogRowsContaining(appliance, keyLine)).isEmpty();
            assertThat(catalogRowsContaining(appliance, "ssh-ed25519")).as("the check sees catalog rows: the public key is one")
                    .isNotEmpty();
        }
    }

    /** A home folder as a fresh account has it, with a stand-in crontab and a systemctl that finds no user session. */
    private Path fakeHome() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.createDirectories(home.resolve("Documents/taxes"));
        Files.createDirectories(home.resolve("Documents/.cache"));
        Files.createDirectories(home.resolve("Pictures"));
        Files.createDirectories(home.resolve("Downloads"));
        Files.writeString(home.resolve("Documents/letter.txt"), "Dear friend,\nthe backup works.\n");
        Files.writeString(home.resolve("Documents/taxes/2026.csv"), "year,amount\n2026,42\n");
        Files.writeString(home.resolve("Documents/.cache/thumb"), "cache");
        Files.writeString(home.resolve("Documents/draft.tmp"), "temporary");
        byte[] photo = new byte[3_000_000];
        new Random(17).nextBytes(photo);
        Files.write(home.resolve("Pictures/beach.jpg"), photo);
        Files.writeString(home.resolve("Downloads/installer.iso"), "not chosen");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path table = tmp.resolve("crontab");
        Files.writeString(table, "MAILTO=me\n");
        script(bin.resolve("crontab"), "#!/bin/sh\n# Keeps the table in the test's folder.\n"
                + "if [ \"$1\" = \"-l\" ]; then cat '" + table + "'; else cat > '" + table + "'; fi\n");
        script(bin.resolve("systemctl"), "#!/bin/sh\necho 'Failed to connect to bus: No medium found' >&2\nexit 1\n");
        return home;
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    record Run(int exit, String output) {
    }

    /** Runs {@code command} with sh in {@code home}, as that account: its HOME, the stand-ins first on the PATH. */
    private Run shell(Path home, String command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("RCLONE_") || k.startsWith("XDG_"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("PATH", tmp.resolve("bin") + ":/usr/local/bin:/usr/bin:/bin");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** Relative path to content of every file under {@code root}'s {@code folders} (or all of it). */
    private static Map<String, String> tree(Path root, String... folders) throws IOException {
        Map<String, String> out = new TreeMap<>();
        List<Path> starts = folders.length == 0 ? List.of(root) : Arrays.stream(folders).map(root::resolve).toList();
        for (Path start : starts) {
            try (Stream<Path> files = Files.walk(start)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String rel = root.relativize(f).toString();
                    if (folders.length > 0 && (rel.contains("/.cache/") || rel.endsWith(".tmp"))) {
                        continue; // left out by the chosen patterns
                    }
                    out.put(rel, Base64.getEncoder().encodeToString(Files.readAllBytes(f)));
                }
            }
        }
        return out;
    }

    /** Each file's content and modification time: what a run that "changes nothing" must leave alone. */
    private static Map<String, String> state(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).collect(Collectors.toMap(f -> dir.relativize(f).toString(), f -> {
                try {
                    return Files.getLastModifiedTime(f) + " " + Arrays.hashCode(Files.readAllBytes(f));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, (a, b) -> a, TreeMap::new));
        }
    }

    /** A line from the middle of the key's base64: unique to this key, and as any copy of it would hold it. */
    private static String privateKeyLine(String pem) {
        List<String> lines = pem.lines().filter(l -> !l.startsWith("-----")).toList();
        assertThat(lines).hasSizeGreaterThan(3);
        return lines.get(2);
    }

    private static List<Path> filesContaining(Path root, byte[] needle) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                try {
                    byte[] b = Files.readAllBytes(f);
                    outer:
                    for (int i = 0; i + needle.length <= b.length; i++) {
                        for (int j = 0; j < needle.length; j++) {
                            if (b[i + j] != needle[j]) {
                                continue outer;
                            }
                        }
                        return true;
                    }
                    return false;
                } catch (IOException e) {
                    return false; // a file PostgreSQL holds open or removed meanwhile; the catalog is searched by SQL too
                }
            }).toList();
        }
    }

    /** Every row of every catalog table, as text, that contains {@code needle}. */
    private static List<String> catalogRowsContaining(Appliance appliance, String needle) {
        return appliance.catalog().jdbi().withHandle(h -> {
            List<String> tables = h.createQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                    .mapTo(String.class).list();
            List<String> hits = new java.util.ArrayList<>();
            for (String t : tables) {
                hits.addAll(h.createQuery("SELECT r::text FROM \"" + t + "\" r WHERE strpos(r::text, :n) > 0")
                        .bind("n", needle).mapTo(String.class).list().stream().map(r -> t + ": " + r).toList());
            }
            return hits;
        });
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

    /** The panel as a browser uses it: a session cookie and the page's CSRF token. */
    static final class Panel {
        private final Appliance appliance;
        private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        private String csrf;

        Panel(Appliance appliance) {
            this.appliance = appliance;
        }

        void login() throws Exception {
            csrf = csrfOf(get("/login"));
            send("/login", Map.of("name", "admin", "password", ADMIN_PASSWORD), 303);
            csrf = csrfOf(get("/"));
        }

        void createDevice(String name, String password) throws Exception {
            send("/devices", Map.of("name", name, "password", password), 303);
        }

        String get(String path) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            return r.body();
        }

        String post(String path, Map<String, String> fields) throws Exception {
            return send(path, fields, 200);
        }

        private String send(String path, Map<String, String> fields, int status) throws Exception {
            Map<String, String> all = new LinkedHashMap<>(fields);
            all.put("_csrf", csrf);
            String form = all.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
            return r.body();
        }

        private URI uri(String path) {
            return URI.create("http://127.0.0.1:" + appliance.httpPort() + path);
        }

        private static String csrfOf(String html) {
            Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(html);
            assertThat(m.find()).as(html).isTrue();
            return m.group(1);
        }
    }
}
