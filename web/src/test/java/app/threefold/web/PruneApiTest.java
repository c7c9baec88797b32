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
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/v1/prune} as a script uses it: a job with progress whose result says what was reclaimed. */
@ExtendWith(TestDatabase.class)
class PruneApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestPanel.Running panel;
    private Engine engine;

    @AfterEach
    void stop() throws Exception {
        if (panel != null) {
            panel.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aDryRunChangesNothingAndAPruneReclaimsTheSpaceOfAForgottenSnapshot(Catalog catalog, @TempDir Path dataDir, @TempDir Path laptop)
            throws Exception {
        Clock clock = Clock.systemUTC();
        engine = Engine.create(dataDir, "repository password".toCharArray(), catalog, clock);
        byte[] photo = new byte[600_000];
        new Random(4).nextBytes(photo);
        Files.write(laptop.resolve("photo.jpg"), photo);
        var first = engine.backupFolder("laptop", laptop).snapshot();
        Files.delete(laptop.resolve("photo.jpg"));
        Files.writeString(laptop.resolve("notes.txt"), "kept\n");
        engine.backupFolder("laptop", laptop);
        // Forget the first snapshot, as retention's forget does: its snapshot file goes.
        Files.delete(Engine.repositoryDir(dataDir).resolve("snapshots").resolve(first.id().hex()));
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        WebServices services = new WebServices("test", clock, clock.instant(),
                () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP)), accounts,
                new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, null, Map::of,
                TestPanel.create(catalog, accounts, clock, dataDir, new EngineHolder(engine)));
        panel = TestPanel.Running.start(services);
        PanelClient script = new PanelClient(panel.server().port(), HttpClient.newHttpClient());
        String admin = PanelClient.basic("alice", "long enough");
        long before = size(dataDir.resolve("repository/data"));

        HttpResponse<String> dry = script.send("POST", "/api/v1/prune", "{\"dryRun\": true}",
                Map.of("Authorization", admin, "Content-Type", "application/json"));
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(202);
        JsonNode dryJob = await(script, admin, JSON.readTree(dry.body()).get("job").asLong());
        assertThat(dryJob.get("state").asText()).as(dryJob.toString()).isEqualTo("succeeded");
        assertThat(dryJob.get("kind").asText()).isEqualTo("prune");
        assertThat(dryJob.get("result").get("dryRun").asBoolean()).isTrue();
        assertThat(dryJob.get("result").get("bytesReclaimed").asLong()).isGreaterThan(500_000);
        assertThat(size(dataDir.resolve("repository/data"))).isEqualTo(before);

        HttpResponse<String> real = script.send("POST", "/api/v1/prune", null, Map.of("Authorization", admin));
        assertThat(real.statusCode()).as(real.body()).isEqualTo(202);
        JsonNode done = await(script, admin, JSON.readTree(real.body()).get("job").asLong());
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("succeeded");
        JsonNode result = done.get("result");
        assertThat(result.get("dryRun").asBoolean()).isFalse();
        assertThat(result.get("packsRemoved").asInt() + result.get("packsRepacked").asInt()).isPositive();
        assertThat(result.get("bytesReclaimed").asLong()).isGreaterThan(500_000);
        assertThat(result.has("seconds")).isTrue();
        assertThat(result.get("blobsKept").asLong()).isPositive();
        assertThat(size(dataDir.resolve("repository/data"))).isLessThan(before - 500_000);

        HttpResponse<String> bad = script.send("POST", "/api/v1/prune", "{\"dry\": true}",
                Map.of("Authorization", admin, "Content-Type", "application/json"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("dryRun");
    }

    private static JsonNode await(PanelClient script, String admin, long id) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            JsonNode job = JSON.readTree(script.send("GET", "/api/v1/jobs/" + id, null, Map.of("Authorization", admin)).body());
            String state = job.get("state").asText();
            if (state.equals("succeeded") || state.equals("failed")) {
                return job;
            }
            assertThat(System.nanoTime()).as("job " + id + " ends within 120 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static long size(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
