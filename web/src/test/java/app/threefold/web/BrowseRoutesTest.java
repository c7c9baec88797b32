package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.format.Id;
import app.threefold.ingest.IngestSession;
import app.threefold.ingest.IngestStats;
import app.threefold.repository.BlobSaver;
import app.threefold.snapshot.Snapshot;
import app.threefold.tree.NameCharset;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.time.Duration;
import java.time.Instant;
import app.threefold.health.ComponentHealth;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Browsing, range requests and paging against a real engine and catalog. */
@ExtendWith(TestDatabase.class)
class BrowseRoutesTest {

    private WebServer server;
    private WebServices services;
    private Engine engine;
    private HttpClient browser;
    private String snapshot;
    private byte[] video;
    private byte[] png;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir, @TempDir Path source) throws Exception {
        Clock clock = Clock.systemUTC();
        engine = Engine.create(dataDir, "repository password".toCharArray(), catalog, clock);
        video = new byte[300_000];
        new Random(1).nextBytes(video);
        Files.write(source.resolve("video.mp4"), video);
        Files.createDirectories(source.resolve("many"));
        for (int i = 0; i < 450; i++) {
            Files.writeString(source.resolve("many").resolve(String.format("f%03d.txt", i)), "file " + i);
        }
        Path mixed = Files.createDirectories(source.resolve("mixed"));
        for (String dir : List.of("Zoo", "banana", "2024", "10 trips", "9 trips")) {
            Files.createDirectories(mixed.resolve(dir));
        }
        for (String file : List.of("IMG_10.jpg", "IMG_2.jpg", "apple.txt", "Report 2025.pdf", "backup.zip", "song.mp3",
                "clip.MOV", "unknown.bin", "img_1.png")) {
            Files.writeString(mixed.resolve(file), "content of " + file);
        }
        png = new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3};
        Files.write(mixed.resolve("img_1.png"), png);
        Files.writeString(mixed.resolve("apple.txt"), "Apples: <b>3</b> & pears\n");
        Files.writeString(mixed.resolve("long.log"), "line\n".repeat(40_000));
        Path camera = Files.createDirectories(source.resolve("camera"));
        Files.createDirectories(camera.resolve("zz edited"));
        for (int i = 1; i <= 250; i++) {
            Files.writeString(camera.resolve("IMG_" + i + ".jpg"), "photo " + i);
        }
        snapshot = engine.backupFolder("pc", source).snapshot().id().hex();
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        services = new WebServices("test", clock, clock.instant(),
                () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP)), accounts,
                new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, null, java.util.Map::of,
                TestPanel.create(catalog, accounts, clock, dataDir, new EngineHolder(engine)));
        server = WebServer.start("127.0.0.1", 0, services);
        browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String form = new String(get("/login", null).body(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(form);
        assertThat(m.find()).isTrue();
        HttpResponse<byte[]> login = browser.send(HttpRequest.newBuilder(uri("/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + m.group(1) + "&name=alice&password=long+enough"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(login.statusCode()).isEqualTo(303);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        services.panel().jobs().close();
        engine.close();
    }

    @Test
    void rangeRequestsAnswerTheAskedBytesAndRefuseRangesPastTheEnd() throws Exception {
        String file = "/devices/pc/snapshots/" + snapshot + "/file?path=" + enc("/video.mp4");

        HttpResponse<byte[]> whole = get(file, null);
        HttpResponse<byte[]> middle = get(file, "bytes=100000-100009");
        HttpResponse<byte[]> tail = get(file, "bytes=-16");
        HttpResponse<byte[]> open = get(file, "bytes=299990-");
        HttpResponse<byte[]> past = get(file, "bytes=300000-");

        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(video);
        assertThat(whole.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 100000-100009/300000");
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(video, 100_000, 100_010));
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(video, 299_984, 300_000));
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(video, 299_990, 300_000));
        assertThat(past.statusCode()).isEqualTo(416);
        assertThat(past.headers().firstValue("Content-Range")).hasValue("bytes */300000");
    }

    @Test
    void aLargeFolderIsShownTwoHundredEntriesAPage() throws Exception {
        String folder = "/devices/pc/snapshots/" + snapshot + "?path=" + enc("/many");

        String first = new String(get(folder, null).body(), StandardCharsets.UTF_8);
        String last = new String(get(folder + "&page=3", null).body(), StandardCharsets.UTF_8);
        String beyond = new String(get(folder + "&page=99", null).body(), StandardCharsets.UTF_8);

        assertThat(first).contains("450 entries", "page 1 of 3", "f000.txt", "f199.txt").doesNotContain("f200.txt");
        assertThat(last).contains("page 3 of 3", "f400.txt", "f449.txt").doesNotContain("f399.txt");
        assertThat(beyond).contains("page 3 of 3", "f449.txt");
    }

    @Test
    void aFolderListsFoldersFirstThenNamesAsPeopleReadThemWithAnIconPerKind() throws Exception {
        String html = new String(get("/devices/pc/snapshots/" + snapshot + "?path=" + enc("/mixed"), null).body(),
                StandardCharsets.UTF_8);

        assertThat(names(html)).containsExactly("9 trips/", "10 trips/", "2024/", "banana/", "Zoo/",
                "apple.txt", "backup.zip", "clip.MOV", "img_1.png", "IMG_2.jpg", "IMG_10.jpg", "long.log",
                "Report 2025.pdf", "song.mp3", "unknown.bin");
        assertThat(kinds(html)).containsExactly("folder", "folder", "folder", "folder", "folder",
                "document", "archive", "video", "image", "image", "image", "document", "document", "audio", "other");
        assertThat(html).contains("<svg class=\"kind-icon folder\"", "<svg class=\"kind-icon image\"");
    }

    @Test
    void pagesFollowTheListingOrderNotTheTreeOrder() throws Exception {
        String folder = "/devices/pc/snapshots/" + snapshot + "?path=" + enc("/camera");

        List<String> first = names(new String(get(folder, null).body(), StandardCharsets.UTF_8));
        List<String> second = names(new String(get(folder + "&page=2", null).body(), StandardCharsets.UTF_8));

        assertThat(first).hasSize(200).startsWith("zz edited/", "IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg")
                .endsWith("IMG_199.jpg");
        assertThat(second).hasSize(51).startsWith("IMG_200.jpg").endsWith("IMG_250.jpg");
    }

    @Test
    void imagesAndTextFilesArePreviewedInTheBrowserOthersOnlyDownloaded() throws Exception {
        String base = "/devices/pc/snapshots/" + snapshot;
        String listing = new String(get(base + "?path=" + enc("/mixed"), null).body(), StandardCharsets.UTF_8);
        assertThat(listing).contains("/preview?path=" + enc("/mixed/img_1.png"),
                "/preview?path=" + enc("/mixed/apple.txt")).doesNotContain("/preview?path=" + enc("/mixed/backup.zip"));

        String imagePage = new String(get(base + "/preview?path=" + enc("/mixed/img_1.png"), null).body(),
                StandardCharsets.UTF_8);
        assertThat(imagePage).contains("<img src=\"" + base + "/inline?path=" + enc("/mixed/img_1.png") + "\"");
        HttpResponse<byte[]> image = get(base + "/inline?path=" + enc("/mixed/img_1.png"), null);
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(image.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).startsWith("inline"));
        assertThat(image.body()).isEqualTo(png);

        String textPage = new String(get(base + "/preview?path=" + enc("/mixed/apple.txt"), null).body(),
                StandardCharsets.UTF_8);
        assertThat(textPage).contains("<pre class=\"preview-text\" data-testid=\"preview-text\">Apples: &lt;b&gt;3&lt;/b&gt; &amp; pears");
        HttpResponse<byte[]> text = get(base + "/inline?path=" + enc("/mixed/apple.txt"), null);
        assertThat(text.headers().firstValue("Content-Type").orElseThrow().replace(" ", "")).isEqualTo("text/plain;charset=utf-8");

        String longPage = new String(get(base + "/preview?path=" + enc("/mixed/long.log"), null).body(),
                StandardCharsets.UTF_8);
        assertThat(longPage).contains("Only the first 64 KB of 200 KB are shown");
        assertThat(longPage.length()).isLessThan(80_000);

        String zipPage = new String(get(base + "/preview?path=" + enc("/mixed/backup.zip"), null).body(),
                StandardCharsets.UTF_8);
        assertThat(zipPage).contains("No preview for this file").doesNotContain("<img src=\"" + base + "/inline");
        assertThat(get(base + "/inline?path=" + enc("/mixed/backup.zip"), null).statusCode()).isEqualTo(400);
    }

    @Test
    void namesThatAreNotUtf8AreListedApartAndEachLinkDownloadsItsOwnFile() throws Exception {
        String ff = NameCharset.fromBytes(new byte[] {'c', 'o', 'l', (byte) 0xff, '.', 't', 'x', 't'});
        String fe = NameCharset.fromBytes(new byte[] {'c', 'o', 'l', (byte) 0xfe, '.', 't', 'x', 't'});
        Id tree;
        try (BlobSaver saver = new BlobSaver(engine.repository(), engine.workers())) {
            List<Id> first = saver.saveData(List.of("first".getBytes(StandardCharsets.UTF_8))).get();
            List<Id> second = saver.saveData(List.of("second".getBytes(StandardCharsets.UTF_8))).get();
            Id folder = saver.saveTree(TreeCodec.encode(List.of(Node.file(ff, 0644, Instant.EPOCH, 5, first),
                    Node.file(fe, 0644, Instant.EPOCH, 6, second))));
            tree = saver.saveTree(TreeCodec.encode(List.of(Node.dir("odd \"dir\"", 0755, Instant.EPOCH, folder))));
            saver.flush();
        }
        Snapshot s = engine.snapshots().save(new Snapshot(null, Instant.now(), null, tree, List.of("/"), "pc", "", List.of()));
        engine.recordSnapshot(s, new IngestSession.Result(s, new IngestStats(2, 0, 0, 0, 0, 1, 11, 11, 11, Duration.ZERO), List.of()));

        String base = "/devices/pc/snapshots/" + s.id().hex();
        String html = new String(get(base + "?path=" + enc("/odd \"dir\""), null).body(), StandardCharsets.UTF_8);
        assertThat(names(html)).containsExactly("col\\xfe.txt", "col\\xff.txt");
        Matcher links = Pattern.compile("<a class=\"file\" href=\"([^\"]*)\"").matcher(html);
        List<String> bodies = new java.util.ArrayList<>();
        while (links.find()) {
            bodies.add(new String(get(links.group(1).replace("&amp;", "&"), null).body(), StandardCharsets.UTF_8));
        }
        assertThat(bodies).containsExactly("second", "first");
    }

    /** The entries' names as the listing shows them, in its order. */
    private static List<String> names(String html) {
        Matcher m = Pattern.compile("<a class=\"(?:dir|file)\" href=\"[^\"]*\"(?: download)?>([^<]*)</a>").matcher(html);
        List<String> names = new java.util.ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static List<String> kinds(String html) {
        Matcher m = Pattern.compile("<tr data-kind=\"([a-z]+)\">").matcher(html);
        List<String> kinds = new java.util.ArrayList<>();
        while (m.find()) {
            kinds.add(m.group(1));
        }
        return kinds;
    }

    @Test
    void pathsThatClimbOutOfTheSnapshotAreRefused() throws Exception {
        assertThat(get("/devices/pc/snapshots/" + snapshot + "?path=" + enc("/many/../.."), null).statusCode())
                .isEqualTo(400);
        assertThat(get("/devices/pc/snapshots/" + snapshot + "/file?path=" + enc("/nothing.txt"), null).statusCode())
                .isEqualTo(404);
        assertThat(get("/devices/other/snapshots/" + snapshot, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aSnapshotIdThatIsNotOneIsRefusedSayingWhatAnIdIsAndAnUnknownOneIsNotFound() throws Exception {
        HttpResponse<byte[]> malformed = get("/devices/pc/snapshots/" + snapshot.substring(0, 8) + "zz", null);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(new String(malformed.body(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("is not a snapshot id: an id is 64 hexadecimal digits");
        String unknown = "0".repeat(64);
        assertThat(get("/devices/pc/snapshots/" + unknown, null).statusCode()).isEqualTo(404);
        assertThat(get("/devices/pc/compare?from=" + snapshot + "&to=nothex", null).statusCode()).isEqualTo(400);
    }

    private HttpResponse<byte[]> get(String path, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
        if (range != null) {
            b.header("Range", range);
        }
        return browser.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
