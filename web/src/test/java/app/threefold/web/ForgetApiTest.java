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

/** {@code POST /api/v1/devices/{name}/forget}: what a script sends is what happens, never a forget it did not ask for. */
@ExtendWith(TestDatabase.class)
class ForgetApiTest {

    private TestPanel.Running panel;
    private Engine engine;
    private PanelClient script;
    private String admin;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir, @TempDir Path laptop) throws Exception {
        Clock clock = Clock.systemUTC();
        engine = Engine.create(dataDir, "repository password".toCharArray(), catalog, clock);
        Files.writeString(laptop.resolve("thesis.txt"), "chapter one\n");
        engine.backupFolder("laptop", laptop);
        Files.writeString(laptop.resolve("thesis.txt"), "chapter two\n");
        engine.backupFolder("laptop", laptop);
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        WebServices services = new WebServices("test", clock, clock.instant(),
                () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP)), accounts,
                new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, null, Map::of,
                TestPanel.create(catalog, accounts, clock, dataDir, new EngineHolder(engine)));
        panel = TestPanel.Running.start(services);
        script = new PanelClient(panel.server().port(), HttpClient.newHttpClient());
        admin = PanelClient.basic("alice", "long enough");
    }

    @AfterEach
    void stop() throws Exception {
        panel.close();
        engine.close();
    }

    private HttpResponse<String> forget(String body, String authorization) throws Exception {
        return script.send("POST", "/api/v1/devices/laptop/forget", body, authorization == null
                ? Map.of("Content-Type", "application/json")
                : Map.of("Authorization", authorization, "Content-Type", "application/json"));
    }

    @Test
    void aDryRunThatIsNotAJsonBooleanIsRefusedAndForgetsNothing() throws Exception {
        for (String dryRun : List.of("\"yes\"", "\"True\"", "1", "null")) {
            HttpResponse<String> r = forget("{\"dryRun\": " + dryRun + ", \"keepLast\": 1}", admin);
            assertThat(r.statusCode()).as("dryRun %s: %s", dryRun, r.body()).isEqualTo(400);
            assertThat(r.body()).contains("dryRun");
        }
        assertThat(engine.snapshots().list("laptop")).as("nothing forgotten").hasSize(2);

        HttpResponse<String> preview = forget("{\"dryRun\": true, \"keepLast\": 1}", admin);
        assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
        assertThat(engine.snapshots().list("laptop")).hasSize(2);
    }

    @Test
    void forgetNowInThePanelForgetsOnlyWhatThePreviewShowedElseItShowsTheNewPreview() throws Exception {
        PanelClient browser = new PanelClient(panel.server().port()).login("alice", "long enough");
        String page = browser.get("/devices/laptop/retention/preview?last=1").body();
        assertThat(page).contains("name=\"previewed\"");

        // Shown a preview that forgets nothing (the policy field was changed without looking again).
        HttpResponse<String> stale = browser.post("/devices/laptop/retention/forget", Map.of("last", "1", "previewed", ""));

        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.body()).contains("changed since the preview").contains("data-testid=\"goes\"");
        assertThat(engine.snapshots().list("laptop")).as("nothing forgotten").hasSize(2);

        String shown = engine.snapshots().list("laptop").stream().map(s -> s.id().hex())
                .filter(id -> page.contains("data-snapshot=\"" + id + "\" class=\"forgotten\"")).findFirst().orElseThrow();
        HttpResponse<String> confirmed = browser.post("/devices/laptop/retention/forget", Map.of("last", "1", "previewed", shown));
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
        assertThat(confirmed.body()).contains("Forgot 1 snapshot");
        assertThat(engine.snapshots().list("laptop")).hasSize(1);
    }

    @Test
    void aCallerWithoutCredentialsIsToldSoBeforeItsBodyIsJudged() throws Exception {
        assertThat(forget("{\"dryRun\": \"yes\"}", null).statusCode()).isEqualTo(401);
        assertThat(forget("not json", null).statusCode()).isEqualTo(401);
    }
}
