package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.engine.Engine;
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
        snapshot = engine.backupFolder("pc", source).snapshot().id().hex();
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        services = new WebServices("test", clock, clock.instant(),
                () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP)), accounts,
                new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, null, java.util.Map::of,
                TestPanel.create(catalog, accounts, clock, dataDir, new LiveEngine(engine)));
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
    void pathsThatClimbOutOfTheSnapshotAreRefused() throws Exception {
        assertThat(get("/devices/pc/snapshots/" + snapshot + "?path=" + enc("/many/../.."), null).statusCode())
                .isEqualTo(400);
        assertThat(get("/devices/pc/snapshots/" + snapshot + "/file?path=" + enc("/nothing.txt"), null).statusCode())
                .isEqualTo(404);
        assertThat(get("/devices/other/snapshots/" + snapshot, null).statusCode()).isEqualTo(404);
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
