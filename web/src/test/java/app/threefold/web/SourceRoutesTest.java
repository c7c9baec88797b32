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
import app.threefold.sources.LocalSource;
import app.threefold.sources.LocalSources;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Local sources pages against a real engine and catalog: forms, errors, Run now, the dashboard card. */
@ExtendWith(TestDatabase.class)
class SourceRoutesTest {

    private TestPanel.Running panel;
    private WebServices services;
    private Engine engine;
    private PanelClient admin;
    private Path dataDir;
    private Path photos;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir, @TempDir Path share) throws Exception {
        this.dataDir = dataDir;
        Clock clock = Clock.systemUTC();
        engine = Engine.create(dataDir, "repository password".toCharArray(), catalog, clock);
        photos = Files.createDirectories(share.resolve("photos"));
        Files.writeString(photos.resolve("beach.jpg"), "not really a photo");
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        services = new WebServices("test", clock, clock.instant(),
                () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP)), accounts,
                new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, null, Map::of,
                TestPanel.create(catalog, accounts, clock, dataDir, new EngineHolder(engine)));
        panel = TestPanel.Running.start(services);
        admin = panel.login("alice", "long enough");
    }

    @AfterEach
    void stop() throws Exception {
        panel.close();
        engine.close();
    }

    @Test
    void anAdminAddsASourceRunsItAndFindsItsCardAndSnapshots() throws Exception {
        HttpResponse<String> added = post("/sources", form("name", "photo-share", "path", photos.toString(),
                "kind", "daily", "time", "03:30", "hours", "6"));
        assertThat(added.statusCode()).isEqualTo(303);
        String list = get("/sources").body();
        assertThat(list).contains("photo-share", photos.toString(), "daily at 03:30", "not run yet", "Run now");

        HttpResponse<String> run = admin.send("POST", "/sources/photo-share/run", PanelClient.form(Map.of("_csrf", admin.csrf())),
                Map.of("Content-Type", "application/x-www-form-urlencoded", "HX-Request", "true"));
        assertThat(run.statusCode()).isEqualTo(200);
        assertThat(run.body()).contains("sse-connect=\"/jobs/");
        LocalSources sources = services.panel().sources();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (sources.find("photo-share").orElseThrow().lastRun() == null
                || sources.find("photo-share").orElseThrow().lastRun().finished() == null) {
            assertThat(System.nanoTime()).as("the run ends within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        LocalSource.LastRun last = sources.find("photo-share").orElseThrow().lastRun();
        assertThat(last.status()).isEqualTo(LocalSource.Status.SUCCEEDED);

        assertThat(get("/sources").body()).contains("succeeded", "/devices/photo-share/snapshots/" + last.snapshot());
        // The source's row records the run just before its job reports success: wait for the job too.
        String job = get("/jobs/" + last.job()).body();
        while (job.contains("data-state=\"running\"") && System.nanoTime() < deadline) {
            Thread.sleep(20);
            job = get("/jobs/" + last.job()).body();
        }
        assertThat(job).contains("Backed up.", "1 file,");
        String dashboard = get("/").body();
        assertThat(dashboard).contains("data-device=\"photo-share\"", "Local source", "Last backup just now",
                "2 copies", "1 kind", "0 off-site", "not a separate kind of storage, and not off-site");
        assertThat(get("/devices/photo-share").body()).contains(last.snapshot().substring(0, 8));
        assertThat(get("/devices/photo-share/snapshots/" + last.snapshot()).body()).contains("beach.jpg");
    }

    @Test
    void aRefusedFormKeepsWhatWasTypedAndChangesNothing() throws Exception {
        HttpResponse<String> inside = post("/sources", form("name", "repo", "path", dataDir.resolve("repository").toString(),
                "kind", "hours", "time", "", "hours", "6"));
        HttpResponse<String> badHours = post("/sources", form("name", "photo-share", "path", photos.toString(),
                "kind", "hours", "time", "", "hours", "0"));

        assertThat(inside.statusCode()).isEqualTo(422);
        assertThat(inside.body()).contains("inside the appliance's data directory", "value=\"repo\"");
        assertThat(badHours.statusCode()).isEqualTo(422);
        assertThat(badHours.body()).contains("1 to 168", "value=\"photo-share\"");
        assertThat(services.panel().sources().list()).isEmpty();
    }

    @Test
    void anAdminChangesTheScheduleDisablesAndRemovesASource() throws Exception {
        post("/sources", form("name", "photo-share", "path", photos.toString(), "kind", "daily", "time", "03:30",
                "hours", ""));

        assertThat(get("/sources/photo-share").body()).contains("value=\"03:30\"", "Remove photo-share");
        HttpResponse<String> changed = post("/sources/photo-share", form("path", photos.toString(), "kind", "hours",
                "time", "03:30", "hours", "12"));
        assertThat(changed.statusCode()).isEqualTo(303);
        assertThat(get("/sources").body()).contains("every 12 hours", "never (disabled)");
        assertThat(services.panel().sources().find("photo-share").orElseThrow().enabled()).isFalse();

        assertThat(post("/sources/photo-share/remove", form()).statusCode()).isEqualTo(303);
        assertThat(services.panel().sources().list()).isEmpty();
        assertThat(get("/sources/photo-share").statusCode()).isEqualTo(404);
    }

    private static Map<String, String> form(String... pairs) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return fields;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return admin.get(path);
    }

    private HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
        return admin.post(path, fields);
    }
}
