package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.health.ComponentHealth;
import app.threefold.jobs.Job;
import app.threefold.jobs.Restores;
import app.threefold.web.page.Format;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Several entries of a listing selected for one zip or one restore, and the restore target's folder picker. */
@ExtendWith(TestDatabase.class)
class BrowseSelectionTest {

    @TempDir
    Path dataDir;
    @TempDir
    Path nas;
    private Path share;
    private WebServer server;
    private WebServices services;
    private Engine engine;
    private PanelClient browser;
    private String snapshot;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path source) throws Exception {
        Clock clock = Clock.systemUTC();
        engine = Engine.create(dataDir, "repository password".toCharArray(), catalog, clock);
        Files.writeString(source.resolve("letter.txt"), "dear grandma");
        Files.writeString(source.resolve("notes.txt"), "not selected");
        Files.createDirectories(source.resolve("photos").resolve("2024"));
        Files.writeString(source.resolve("photos").resolve("2024").resolve("beach.jpg"), "sand");
        Files.writeString(source.resolve("photos").resolve("cat.jpg"), "meow");
        Files.createDirectories(source.resolve("other"));
        Files.writeString(source.resolve("other").resolve("tax.pdf"), "not selected either");
        snapshot = engine.backupFolder("pc", source).snapshot().id().hex();
        share = Files.createDirectories(nas.resolve("family"));
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        services = new WebServices("test", clock, clock.instant(),
                () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP)), accounts,
                new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, null, Map::of,
                TestPanel.create(catalog, accounts, clock, dataDir, new EngineHolder(engine)));
        server = WebServer.start("127.0.0.1", 0, services);
        browser = new PanelClient(server.port()).login("alice", "long enough");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        services.panel().jobs().close();
        engine.close();
    }

    @Test
    void theListingOffersCheckboxesASelectAllAndTheFolderPicker() throws Exception {
        String page = browser.get("/devices/pc/snapshots/" + snapshot).body();

        assertThat(page).contains("data-select-all", "name=\"pick\" value=\"" + Format.url("/letter.txt") + "\"",
                "Download selected as zip", "hx-get=\"/restore-targets\"", "hx-include=\"#selection");
    }

    @Test
    void aZipOfSelectedEntriesHoldsExactlyThoseEntriesAndIsAudited() throws Exception {
        HttpResponse<byte[]> r = browser.postBytes("/devices/pc/snapshots/" + snapshot + "/zip",
                selection("/", "/letter.txt", "/photos"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/zip");
        Map<String, String> entries = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(r.body()), StandardCharsets.UTF_8)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                entries.put(e.getName(), e.isDirectory() ? "" : new String(zip.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(entries).containsExactlyInAnyOrderEntriesOf(Map.of("letter.txt", "dear grandma", "photos/", "",
                "photos/2024/", "", "photos/2024/beach.jpg", "sand", "photos/cat.jpg", "meow"));
        assertThat(browser.get("/activity").body()).contains("Downloaded /letter.txt, /photos of pc as a zip");
    }

    @Test
    void aZipWithNothingSelectedIsRefused() throws Exception {
        HttpResponse<byte[]> r = browser.postBytes("/devices/pc/snapshots/" + snapshot + "/zip", selection("/"));

        assertThat(r.statusCode()).isEqualTo(400);
    }

    @Test
    void aRestoreOfSelectedEntriesRestoresExactlyThoseUnderTheirNames() throws Exception {
        declare(share.toString());
        Path target = share.resolve("restored");

        HttpResponse<String> r = browser.send("POST", "/devices/pc/snapshots/" + snapshot + "/restore",
                selection("/", "/letter.txt", "/photos") + "&target=" + URLEncoder.encode(target.toString(), StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/x-www-form-urlencoded", "HX-Request", "true"));

        awaitRestores();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        try (Stream<Path> walk = Files.walk(target)) {
            assertThat(walk.filter(p -> !p.equals(target)).map(p -> target.relativize(p).toString())
                    .collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder("letter.txt", "photos", "photos/2024", "photos/2024/beach.jpg", "photos/cat.jpg");
        }
        assertThat(Files.readString(target.resolve("photos/2024/beach.jpg"))).isEqualTo("sand");
        assertThat(Files.readString(target.resolve("letter.txt"))).isEqualTo("dear grandma");
    }

    @Test
    void thePickerListsTheSharesAndOnlyTheSubfoldersInsideThem() throws Exception {
        declare(share.toString());
        Files.createDirectories(share.resolve("Anna"));
        Files.createDirectories(share.resolve("Bob").resolve("old"));
        Files.writeString(share.resolve("readme.txt"), "a file, not a folder");
        Path outside = Files.createDirectories(nas.resolve("elsewhere"));
        Files.createSymbolicLink(share.resolve("LINK-OUT"), outside);
        Files.createSymbolicLink(share.resolve("LINK-DATA"), dataDir);

        String shares = browser.get("/restore-targets").body();
        HttpResponse<String> inShare = browser.get("/restore-targets?folder=" + Format.url(share.toString()));
        HttpResponse<String> inBob = browser.get("/restore-targets?folder=" + Format.url(share.resolve("Bob").toString()));

        assertThat(shares).contains("?folder=" + Format.url(share.toString()));
        assertThat(inShare.statusCode()).isEqualTo(200);
        assertThat(inShare.body()).contains("?folder=" + Format.url(share.resolve("Anna").toString()),
                "?folder=" + Format.url(share.resolve("Bob").toString()), "data-pick=\"" + share + "\"");
        assertThat(inShare.body()).doesNotContain("readme.txt", "LINK-OUT", "LINK-DATA");
        assertThat(inBob.body()).contains("?folder=" + Format.url(share.resolve("Bob").resolve("old").toString()),
                "?folder=" + Format.url(share.toString()));
    }

    @Test
    void thePickerRefusesFoldersOutsideTheSharesAndTheDataDirectory() throws Exception {
        declare(share.toString());
        Path outside = Files.createDirectories(nas.resolve("elsewhere"));
        Files.createSymbolicLink(share.resolve("LINK-OUT"), outside);

        HttpResponse<String> elsewhere = browser.get("/restore-targets?folder=" + Format.url(outside.toString()));
        HttpResponse<String> throughLink = browser.get("/restore-targets?folder=" + Format.url(share.resolve("LINK-OUT").toString()));
        HttpResponse<String> data = browser.get("/restore-targets?folder=" + Format.url(dataDir.toString()));
        HttpResponse<String> root = browser.get("/restore-targets?folder=" + Format.url("/"));

        assertThat(elsewhere.statusCode()).isEqualTo(400);
        assertThat(elsewhere.body()).contains("is not inside a folder Threefold may restore to");
        assertThat(throughLink.statusCode()).isEqualTo(400);
        assertThat(data.statusCode()).isEqualTo(400);
        assertThat(data.body()).contains("data directory");
        assertThat(root.statusCode()).isEqualTo(400);
    }

    /** A form body as the listing posts it: the CSRF token, the folder and the checked boxes, each path {@link Format#url} encoded. */
    private String selection(String folder, String... picked) {
        StringBuilder b = new StringBuilder("_csrf=" + URLEncoder.encode(browser.csrf(), StandardCharsets.UTF_8)
                + "&path=" + URLEncoder.encode(Format.url(folder), StandardCharsets.UTF_8));
        for (String p : picked) {
            b.append("&pick=").append(URLEncoder.encode(Format.url(p), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    private void declare(String folders) throws Exception {
        browser.post("/settings/restore-folders", Map.of("folders", folders));
    }

    private void awaitRestores() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (services.panel().jobs().history(Restores.KIND, "pc", 10).stream().allMatch(Job::done)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("restores still running");
    }
}
