package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.health.ComponentHealth;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The two answers the panel used to get wrong: both blamed the request (400) for the appliance's state. */
@ExtendWith(TestDatabase.class)
class ErrorStatusTest {

    private final Clock clock = Clock.systemUTC();

    @Test
    void aRestoreTestAskedForBeforeTheSetupWizardIsUnavailableNotABadRequest(Catalog catalog, @TempDir Path dataDir)
            throws Exception {
        Accounts accounts = accounts(catalog);
        Devices devices = new Devices(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        devices.create("laptop", "long enough".toCharArray(), null);
        try (TestPanel.Running panel = TestPanel.Running.start(TestPanel.services(catalog, accounts, clock, dataDir, devices))) {
            HttpResponse<String> r = new PanelClient(panel.server().port()).send("POST", "/api/v1/restore-tests",
                    "{\"device\": \"laptop\", \"copy\": \"local\"}",
                    Map.of("Authorization", PanelClient.basic("alice", "long enough"), "Content-Type", "application/json"));

            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.body()).contains("The appliance has no repository yet; finish the setup wizard first.");
        }
    }

    @Test
    void aDamagedRepositoryIsTheAppliancesFailureNotABadRequest(Catalog catalog, @TempDir Path dataDir,
            @TempDir Path source) throws Exception {
        Files.createDirectories(source.resolve("photos"));
        Files.writeString(source.resolve("photos").resolve("cat.txt"), "meow");
        String snapshot;
        try (Engine engine = Engine.create(dataDir, "repository password".toCharArray(), catalog, clock)) {
            snapshot = engine.backupFolder("pc", source).snapshot().id().hex();
        }
        damageEveryPack(dataDir);
        Accounts accounts = accounts(catalog);
        try (Engine engine = Engine.open(dataDir, catalog, clock);
             TestPanel.Running panel = TestPanel.Running.start(new WebServices("test", clock, clock.instant(),
                     () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP)), accounts,
                     new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, null, Map::of,
                     TestPanel.create(catalog, accounts, clock, dataDir, new EngineHolder(engine))))) {
            PanelClient browser = panel.login("alice", "long enough");

            HttpResponse<String> r = browser.get("/devices/pc/snapshots/" + snapshot);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
            assertThat(r.body()).contains("is damaged (MAC mismatch)");
        }
    }

    @Test
    void aJobIdIsCheckedWhereItEntersTheApi(Catalog catalog, @TempDir Path dataDir) throws Exception {
        Accounts accounts = accounts(catalog);
        try (TestPanel.Running panel = TestPanel.Running.start(TestPanel.services(catalog, accounts, clock, dataDir, null))) {
            PanelClient api = new PanelClient(panel.server().port());
            Map<String, String> auth = Map.of("Authorization", PanelClient.basic("alice", "long enough"));

            HttpResponse<String> notANumber = api.send("GET", "/api/v1/jobs/abc", null, auth);
            HttpResponse<String> unknown = api.send("GET", "/api/v1/jobs/999", null, auth);

            assertThat(notANumber.statusCode()).isEqualTo(400);
            assertThat(notANumber.body()).contains("A job id is a number.");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("There is no job 999");
        }
    }

    private Accounts accounts(Catalog catalog) {
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        return accounts;
    }

    /** Flips every eighth byte of every pack: each blob then fails its MAC check. */
    private static void damageEveryPack(Path dataDir) throws Exception {
        List<Path> packs;
        try (Stream<Path> files = Files.walk(Engine.repositoryDir(dataDir).resolve("data"))) {
            packs = files.filter(Files::isRegularFile).toList();
        }
        assertThat(packs).isNotEmpty();
        for (Path pack : packs) {
            byte[] bytes = Files.readAllBytes(pack);
            pack.toFile().setWritable(true);
            for (int i = 0; i < bytes.length; i += 8) {
                bytes[i] ^= 0x55;
            }
            Files.write(pack, bytes);
        }
    }
}
