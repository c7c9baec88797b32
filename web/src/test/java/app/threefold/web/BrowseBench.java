package app.threefold.web;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.format.Id;
import app.threefold.health.ComponentHealth;
import app.threefold.repository.BlobSaver;
import app.threefold.snapshot.Snapshot;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times the first page of a 100,000-file folder in a 1,000,000-file snapshot, as the server
 * answers it: a fresh web server each round (nothing cached in it), logged in, over loopback.
 * Not a test: run it with bench/browse/run.
 */
public final class BrowseBench {

    private static final int BIG_FOLDER = 100_000;
    private static final int OTHER_FOLDERS = 90;
    private static final int FILES_PER_OTHER = 10_000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path dir = Files.createTempDirectory("browse-bench");
        Clock clock = Clock.systemUTC();
        try (TestDatabase.Database db = TestDatabase.create(); Catalog catalog = db.openCatalog()) {
            Engine engine = Engine.create(dir, "bench password".toCharArray(), catalog, clock);
            long t0 = System.nanoTime();
            String snapshot = buildSnapshot(engine, catalog, clock);
            System.out.printf(Locale.ROOT, "built a snapshot of %,d files (one folder of %,d) in %.1f s%n",
                    BIG_FOLDER + OTHER_FOLDERS * FILES_PER_OTHER, BIG_FOLDER, (System.nanoTime() - t0) / 1e9);

            Accounts accounts = new Accounts(catalog.jdbi(), PasswordHasher.standard(), clock);
            accounts.createAdmin("bench", "bench password".toCharArray());
            String path = "/devices/bench/snapshots/" + snapshot + "?path=%2Fbig";
            List<Double> cold = new ArrayList<>();
            List<Double> warm = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                EngineHolder live = new EngineHolder(engine);
                PanelServices panel = TestPanel.create(catalog, accounts, clock, dir, live);
                WebServices services = new WebServices("bench", clock, clock.instant(),
                        () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP)), accounts,
                        new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dir, null, java.util.Map::of, panel);
                try (WebServer server = WebServer.start("127.0.0.1", 0, services)) {
                    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
                    String base = "http://127.0.0.1:" + server.port();
                    login(browser, base);
                    cold.add(timeGet(browser, base + path));
                    warm.add(timeGet(browser, base + path + "&page=2"));
                } finally {
                    panel.jobs().close();
                }
            }
            System.out.printf(Locale.ROOT, "page 1 of /big on a fresh server:  %s ms; median %.0f ms%n", fmt(cold), median(cold));
            System.out.printf(Locale.ROOT, "page 2 of /big, right after:      %s ms; median %.0f ms%n", fmt(warm), median(warm));
            engine.close();
        }
    }

    private static String buildSnapshot(Engine engine, Catalog catalog, Clock clock) throws Exception {
        Instant mtime = Instant.parse("2026-01-01T00:00:00Z");
        try (BlobSaver saver = new BlobSaver(engine.repository(), engine.workers())) {
            Id big = saver.saveTree(TreeCodec.encode(files("IMG_", BIG_FOLDER, mtime)));
            // The 90 other folders hold equal names, so they share one tree blob (as dedup would).
            Id other = saver.saveTree(TreeCodec.encode(files("doc-", FILES_PER_OTHER, mtime)));
            List<Node> root = new ArrayList<>();
            root.add(Node.dir("big", 0755, mtime, big));
            for (int i = 0; i < OTHER_FOLDERS; i++) {
                root.add(Node.dir(String.format(Locale.ROOT, "folder-%02d", i), 0755, mtime, other));
            }
            root.sort(TreeCodec.ORDER);
            Id tree = saver.saveTree(TreeCodec.encode(root));
            saver.flush();
            Snapshot s = engine.snapshots().save(new Snapshot(null, clock.instant(), null, tree, List.of("/"), "bench",
                    "bench", List.of()));
            catalog.jdbi().useHandle(h -> h.createUpdate("""
                            INSERT INTO snapshots (id, device, time, tree, files, bytes) VALUES (:id, 'bench', :t, :tree, :files, :bytes)""")
                    .bind("id", s.id().bytes()).bind("t", OffsetDateTime.ofInstant(s.time(), ZoneOffset.UTC))
                    .bind("tree", tree.bytes()).bind("files", BIG_FOLDER + OTHER_FOLDERS * FILES_PER_OTHER)
                    .bind("bytes", 0).execute());
            return s.id().hex();
        }
    }

    private static List<Node> files(String prefix, int n, Instant mtime) {
        List<Node> nodes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            nodes.add(Node.file(String.format(Locale.ROOT, "%s%06d.jpg", prefix, i), 0644, mtime, 0, List.of()));
        }
        nodes.sort(TreeCodec.ORDER);
        return nodes;
    }

    private static void login(HttpClient browser, String base) throws Exception {
        String form = browser.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(form);
        if (!m.find()) {
            throw new IllegalStateException("no login form");
        }
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + m.group(1) + "&name=bench&password=bench+password"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 303) {
            throw new IllegalStateException("login failed: " + r.statusCode());
        }
    }

    private static double timeGet(HttpClient browser, String url) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        double ms = (System.nanoTime() - start) / 1e6;
        if (r.statusCode() != 200 || !r.body().contains("100,000 entries")) {
            throw new IllegalStateException("unexpected answer " + r.statusCode() + " from " + url);
        }
        return ms;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String fmt(List<Double> xs) {
        return Arrays.toString(xs.stream().mapToLong(Math::round).toArray());
    }
}
