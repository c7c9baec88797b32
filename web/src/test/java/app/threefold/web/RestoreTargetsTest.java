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
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Restores from the panel go only under declared NAS shares, judged on real paths, never into the data directory. */
@ExtendWith(TestDatabase.class)
class RestoreTargetsTest {

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
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void start(Catalog catalog, @TempDir Path source) throws Exception {
        Clock clock = Clock.systemUTC();
        engine = Engine.create(dataDir, "repository password".toCharArray(), catalog, clock);
        Files.writeString(source.resolve("letter.txt"), "dear grandma");
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
        log.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
        server.stop();
        services.panel().jobs().close();
        engine.close();
    }

    @Test
    void aLinkInsideAShareThatPointsIntoTheDataDirectoryIsRefusedAndNothingIsWrittenThere() throws Exception {
        declare(share.toString());
        Files.createSymbolicLink(share.resolve("LINK"), dataDir);

        HttpResponse<String> r = restore(share.resolve("LINK").resolve("restored").toString());
        HttpResponse<String> direct = restore(dataDir.resolve("restored").toString());

        awaitRestores();
        assertThat(dataDir.resolve("restored")).doesNotExist();
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("resolves to " + dataDir.toRealPath().resolve("restored"), "data directory");
        assertThat(direct.body()).contains("data directory");
    }

    @Test
    void aTargetOutsideTheSharesIsRefusedNamingTheSharesAndIsNotCreated() throws Exception {
        Path photos = Files.createDirectories(nas.resolve("photos"));
        declare(share + "\n" + photos);
        Path elsewhere = nas.resolve("elsewhere").resolve("restored");

        HttpResponse<String> r = restore(elsewhere.toString());
        HttpResponse<String> system = restore("/proc/threefold-restore-test");

        awaitRestores();
        assertThat(nas.resolve("elsewhere")).doesNotExist();
        assertThat(log.list).as("a refused target is the person's mistake, not a crash: no stack trace")
                .allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains(elsewhere + " is not inside a folder Threefold may restore to (NAS shares: "
                + share + ", " + photos + "); add it under Settings");
        assertThat(system.body()).contains("/proc/threefold-restore-test is not inside a folder Threefold may restore to");
    }

    @Test
    void withNoSharesDeclaredARestoreIsRefusedSayingWhereToDeclareThem() throws Exception {
        HttpResponse<String> r = restore(share.resolve("restored").toString());

        awaitRestores();
        assertThat(share.resolve("restored")).doesNotExist();
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("no NAS shares are declared", "Settings");
    }

    @Test
    void aTargetWithANulCharacterIsA400WithAClearMessage() throws Exception {
        declare(share.toString());

        HttpResponse<String> r = restore(share + "/a\0b");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("NUL character");
    }

    @Test
    void aRestoreUnderADeclaredShareWritesTheFiles() throws Exception {
        declare(share.toString());
        Path target = share.resolve("pc").resolve("restored");

        HttpResponse<String> r = restore(target.toString());

        awaitRestores();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Files.readString(target.resolve("letter.txt"))).isEqualTo("dear grandma");
    }

    @Test
    void theSettingsPageAndTheApiListTheShares() throws Exception {
        HttpResponse<String> saved = browser.post("/settings/restore-folders", Map.of("folders", share + "\n"));
        HttpResponse<String> refused = browser.post("/settings/restore-folders", Map.of("folders", "/no/such/share"));
        PanelClient script = new PanelClient(server.port(), HttpClient.newHttpClient());
        String admin = PanelClient.basic("alice", "long enough");
        HttpResponse<String> listed = script.send("GET", "/api/v1/settings/restore-folders", null, Map.of("Authorization", admin));
        Path photos = Files.createDirectories(nas.resolve("photos"));
        HttpResponse<String> put = script.send("PUT", "/api/v1/settings/restore-folders",
                "{\"folders\": [\"" + photos + "\"]}", Map.of("Authorization", admin, "Content-Type", "application/json"));
        HttpResponse<String> inData = script.send("PUT", "/api/v1/settings/restore-folders",
                "{\"folders\": [\"" + dataDir + "\"]}", Map.of("Authorization", admin, "Content-Type", "application/json"));

        assertThat(saved.statusCode()).isEqualTo(303);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("There is no folder /no/such/share");
        assertThat(listed.body()).contains("\"folders\":[\"" + share + "\"]");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(put.body()).contains("\"folders\":[\"" + photos + "\"]");
        assertThat(inData.statusCode()).isEqualTo(422);
        assertThat(browser.get("/settings").body()).contains(photos.toString(), "Restore folders");
    }

    private void declare(String folders) throws Exception {
        // Through the settings form, as an admin would.
        browser.post("/settings/restore-folders", Map.of("folders", folders));
    }

    private HttpResponse<String> restore(String target) throws Exception {
        return browser.send("POST", "/devices/pc/snapshots/" + snapshot + "/restore",
                PanelClient.form(Map.of("path", "/", "target", target)),
                Map.of("Content-Type", "application/x-www-form-urlencoded", "X-CSRF-Token", browser.csrf(), "HX-Request", "true"));
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
