package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.backend.S3Server;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The targets API and the Copies page against a real engine, the real catalog and a real S3
 * server (s3proxy on 127.0.0.1): what a script and an admin see, what is refused, and that a
 * secret key never comes back.
 */
@ExtendWith(TestDatabase.class)
class TargetApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static S3Server s3;

    private TestPanel.Running panel;
    private WebServices services;
    private Engine engine;
    private Catalog catalog;
    private PanelClient script;
    private String admin;
    private Path usb;
    private String bucket;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3Server.start();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir, @TempDir Path media, @TempDir Path laptop) throws Exception {
        this.catalog = catalog;
        Clock clock = Clock.systemUTC();
        engine = Engine.create(dataDir, "repository password".toCharArray(), catalog, clock);
        Files.writeString(laptop.resolve("thesis.txt"), "chapter one\n".repeat(500));
        engine.backupFolder("laptop", laptop);
        usb = media.resolve("usb");
        Files.createDirectories(usb);
        bucket = s3.createBucket();
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        services = new WebServices("test", clock, clock.instant(),
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
        s3.deleteBucket(bucket);
    }

    private String s3Body(String name, String secret) {
        return """
                {"type": "s3", "name": "%s", "endpoint": "%s", "region": "us-east-1", "bucket": "%s",
                 "prefix": "family", "accessKey": "%s", "secretKey": "%s", "pathStyle": true,
                 "schedule": {"everyHours": 12}, "bandwidthLimit": 0}""".formatted(name, s3.endpoint(), bucket,
                S3Server.ACCESS_KEY, secret);
    }

    @Test
    void aScriptAddsABucketSyncsItAndSeesTheLastSyncButNeverTheSecret() throws Exception {
        HttpResponse<String> added = api("POST", "/api/v1/targets", s3Body("Bucket", S3Server.SECRET_KEY));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        JsonNode target = JSON.readTree(added.body());
        long id = target.get("id").asLong();
        assertThat(target.get("type").asText()).isEqualTo("s3");
        assertThat(target.get("location").asText()).isEqualTo("s3:" + s3.endpoint() + "/" + bucket + "/family");
        assertThat(target.get("offSite").asBoolean()).isTrue();
        assertThat(target.get("schedule").get("everyHours").asInt()).isEqualTo(12);
        assertThat(target.get("secretKey").asText()).isEqualTo("****6789");
        assertThat(target.get("lastSync").isNull()).isTrue();

        HttpResponse<String> test = api("POST", "/api/v1/targets/" + id + "/test", null);
        assertThat(JSON.readTree(test.body()).get("ok").asBoolean()).as(test.body()).isTrue();

        HttpResponse<String> sync = api("POST", "/api/v1/targets/" + id + "/sync", null);
        assertThat(sync.statusCode()).as(sync.body()).isEqualTo(202);
        long job = JSON.readTree(sync.body()).get("job").asLong();
        JsonNode done = awaitJob(job);
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.get("kind").asText()).isEqualTo("sync");

        JsonNode after = JSON.readTree(api("GET", "/api/v1/targets/" + id, null).body());
        JsonNode last = after.get("lastSync");
        assertThat(last.get("state").asText()).isEqualTo("succeeded");
        assertThat(last.get("objects").asLong()).isPositive();
        assertThat(last.get("bytes").asLong()).isPositive();
        assertThat(last.get("time").asText()).isNotBlank();

        String everything = api("GET", "/api/v1/targets", null).body() + after + done
                + catalog.jdbi().withHandle(h -> h.createQuery("SELECT string_agg(detail::text, ' ') FROM audit_log")
                .mapTo(String.class).one())
                + catalog.jdbi().withHandle(h -> h.createQuery("SELECT string_agg(coalesce(result::text, '') || "
                        + "coalesce(error, ''), ' ') FROM jobs").mapTo(String.class).one());
        assertThat(everything).doesNotContain(S3Server.SECRET_KEY);
        String page = script.send("GET", "/api/v1/targets/" + id, null, Map.of("Authorization", admin)).body();
        assertThat(page).doesNotContain(S3Server.SECRET_KEY);
    }

    @Test
    void badInputIsRefusedWithAMessageAndChangesNothing() throws Exception {
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("{\"type\": \"ftp\", \"name\": \"x\"}", "type is \\\"s3\\\", \\\"folder\\\" or \\\"sftp\\\"");
        bad.put(s3Body("Bucket", "").replace("\"secretKey\": \"\"", "\"secretKey\": \" \""), "secret key");
        bad.put(s3Body("Bucket", "s").replace(s3.endpoint().toString(), "not a url"), "endpoint");
        bad.put(s3Body("Bucket", "s").replace(bucket, "no/slash"), "bucket");
        bad.put(s3Body("Bucket", "s").replace("{\"everyHours\": 12}", "{\"everyHours\": 400}"), "168");
        bad.put(s3Body("Bucket", "s").replace("\"bandwidthLimit\": 0", "\"bandwidthLimit\": -5"), "negative");
        bad.put("{\"type\": \"folder\", \"name\": \"USB\", \"path\": \"media/usb\"}", "absolute path");
        bad.put("{\"type\": \"folder\", \"name\": \"USB\", \"path\": \"/media/usb\", \"bucket\": \"b\"}", "does not apply");
        bad.put("{\"type\": \"folder\", \"name\": \" \", \"path\": \"/media/usb\"}", "name");
        for (var e : bad.entrySet()) {
            HttpResponse<String> r = api("POST", "/api/v1/targets", e.getKey());
            assertThat(r.statusCode()).as(e.getKey() + " → " + r.body()).isBetween(400, 422);
            assertThat(r.body()).as(e.getKey()).contains(e.getValue());
        }
        assertThat(api("GET", "/api/v1/targets", null).body()).isEqualTo("[]");

        long usbId = JSON.readTree(api("POST", "/api/v1/targets",
                "{\"type\": \"folder\", \"name\": \"USB disk\", \"path\": \"" + usb + "\"}").body()).get("id").asLong();
        api("POST", "/api/v1/targets", s3Body("Bucket", S3Server.SECRET_KEY));
        HttpResponse<String> taken = api("PATCH", "/api/v1/targets/" + usbId, "{\"name\": \"Bucket\", \"path\": \"/elsewhere\"}");
        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(400);
        assertThat(taken.body()).contains("already exists");
        HttpResponse<String> wrongKind = api("PATCH", "/api/v1/targets/" + usbId, "{\"bucket\": \"other\"}");
        assertThat(wrongKind.statusCode()).isEqualTo(400);
        JsonNode unchanged = JSON.readTree(api("GET", "/api/v1/targets/" + usbId, null).body());
        assertThat(unchanged.get("name").asText()).isEqualTo("USB disk");
        assertThat(unchanged.get("path").asText()).isEqualTo(usb.toString());
        assertThat(api("GET", "/api/v1/targets/999", null).statusCode()).isEqualTo(404);
        assertThat(api("GET", "/api/v1/targets/abc", null).statusCode()).isBetween(400, 422);

        HttpResponse<String> renamed = api("PATCH", "/api/v1/targets/" + usbId,
                "{\"name\": \"Blue disk\", \"schedule\": {\"daily\": \"04:15\"}, \"bandwidthLimit\": 1250000}");
        assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
        JsonNode now = JSON.readTree(renamed.body());
        assertThat(now.get("name").asText()).isEqualTo("Blue disk");
        assertThat(now.get("schedule").get("daily").asText()).isEqualTo("04:15");
        assertThat(now.get("bandwidthLimit").asLong()).isEqualTo(1_250_000);

        assertThat(api("DELETE", "/api/v1/targets/" + usbId, null).statusCode()).isEqualTo(204);
        assertThat(api("GET", "/api/v1/targets/" + usbId, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aWrongSecretFailsTheConnectionTestWithAMessage() throws Exception {
        long id = JSON.readTree(api("POST", "/api/v1/targets", s3Body("Bucket", "not-the-secret-at-all")).body())
                .get("id").asLong();
        JsonNode test = JSON.readTree(api("POST", "/api/v1/targets/" + id + "/test", null).body());
        assertThat(test.get("ok").asBoolean()).isFalse();
        assertThat(test.get("error").asText()).isNotBlank().doesNotContain("not-the-secret-at-all");

        HttpResponse<String> fixed = api("PATCH", "/api/v1/targets/" + id, "{\"secretKey\": \"" + S3Server.SECRET_KEY + "\"}");
        assertThat(fixed.statusCode()).as(fixed.body()).isEqualTo(200);
        assertThat(JSON.readTree(api("POST", "/api/v1/targets/" + id + "/test", null).body()).get("ok").asBoolean()).isTrue();
    }

    @Test
    void aScriptAndAnAdminAddAnSftpServerWithItsPinnedHostKeyAndThePasswordNeverComesBack() throws Exception {
        String hostKey = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
        HttpResponse<String> added = api("POST", "/api/v1/targets", """
                {"type": "sftp", "name": "Sam's NAS", "host": "nas.example.net", "port": 2222, "user": "alex",
                 "hostKey": "%s", "password": "hunter2-very-secret", "path": "threefold"}""".formatted(hostKey));
        HttpResponse<String> badKey = api("POST", "/api/v1/targets", """
                {"type": "sftp", "name": "Other", "host": "nas.example.net", "user": "alex", "hostKey": "MD5:aa:bb",
                 "keyFile": "/keys/id_ed25519"}""");
        HttpResponse<String> s3Field = api("POST", "/api/v1/targets", """
                {"type": "sftp", "name": "Other", "host": "h", "user": "u", "hostKey": "%s", "password": "p",
                 "bucket": "b"}""".formatted(hostKey));

        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(added.body()).doesNotContain("hunter2");
        JsonNode target = JSON.readTree(added.body());
        long id = target.get("id").asLong();
        assertThat(target.get("type").asText()).isEqualTo("sftp");
        assertThat(target.get("location").asText()).isEqualTo("sftp://alex@nas.example.net:2222/threefold");
        assertThat(target.get("offSite").asBoolean()).isTrue();
        assertThat(target.get("hostKey").asText()).isEqualTo(hostKey);
        assertThat(target.get("password").asText()).isEqualTo("****");
        assertThat(badKey.statusCode()).isEqualTo(400);
        assertThat(badKey.body()).contains("SHA256 fingerprint");
        assertThat(s3Field.statusCode()).isEqualTo(400);

        HttpResponse<String> moved = api("PATCH", "/api/v1/targets/" + id, "{\"port\": 22}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(JSON.readTree(moved.body()).get("location").asText()).isEqualTo("sftp://alex@nas.example.net:22/threefold");
        assertThat(JSON.readTree(moved.body()).get("password").asText()).as("kept").isEqualTo("****");

        PanelClient browser = panel.login("alice", "long enough");
        HttpResponse<String> viaForm = browser.post("/copies/sftp", Map.ofEntries(Map.entry("name", "Office server"),
                Map.entry("host", "10.0.0.5"), Map.entry("port", "22"), Map.entry("user", "backup"),
                Map.entry("hostKey", hostKey), Map.entry("keyFile", "/keys/id_ed25519"), Map.entry("password", ""),
                Map.entry("path", "/srv/copies"), Map.entry("kind", "daily"), Map.entry("time", "02:30"),
                Map.entry("hours", "6"), Map.entry("mbits", "")));
        assertThat(viaForm.statusCode()).as(viaForm.body()).isEqualTo(303);
        assertThat(browser.get("/copies").body()).contains("Sam's NAS", "SFTP server",
                "sftp://backup@10.0.0.5:22//srv/copies");
        assertThat(browser.get("/copies/" + id).body()).contains("nas.example.net", hostKey).doesNotContain("hunter2");
    }

    @Test
    void theDashboardCountsACopyOnceItsSyncSucceededAndOffersItForRestoreTests() throws Exception {
        PanelClient browser = panel.login("alice", "long enough");
        assertThat(browser.get("/").body()).contains("2 copies", "2 kinds", "0 off-site");

        long bucketId = JSON.readTree(api("POST", "/api/v1/targets", s3Body("Bucket", S3Server.SECRET_KEY)).body())
                .get("id").asLong();
        HttpResponse<String> added = browser.post("/copies/folder", Map.of("name", "USB disk", "path", usb.toString(),
                "kind", "daily", "time", "02:30", "hours", "6", "mbits", ""));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(303);
        String copies = browser.get("/copies").body();
        assertThat(copies).contains("Bucket", "USB disk", "cloud bucket (S3)", "folder (USB disk)", "not synced yet");
        // Not synced yet: added, but not counted as copies.
        assertThat(browser.get("/").body()).contains("2 copies", "0 off-site", "holds no checked copy yet");

        HttpResponse<String> sync = browser.send("POST", "/copies/" + bucketId + "/sync",
                PanelClient.form(Map.of("_csrf", browser.csrf())),
                Map.of("Content-Type", "application/x-www-form-urlencoded", "HX-Request", "true"));
        assertThat(sync.body()).contains("sse-connect=\"/jobs/");
        long job = Long.parseLong(sync.body().replaceAll("(?s).*sse-connect=\"/jobs/(\\d+)/events.*", "$1"));
        assertThat(awaitJob(job).get("state").asText()).isEqualTo("succeeded");
        assertThat(browser.get("/jobs/" + job).body()).contains("Synced.");
        long usbId = JSON.readTree(api("GET", "/api/v1/targets", null).body()).findValues("id").stream()
                .mapToLong(JsonNode::asLong).filter(i -> i != bucketId).findFirst().orElseThrow();
        assertThat(awaitJob(JSON.readTree(api("POST", "/api/v1/targets/" + usbId + "/sync", null).body())
                .get("job").asLong()).get("state").asText()).isEqualTo("succeeded");
        assertThat(Files.isRegularFile(usb.resolve("config"))).isTrue();

        String dashboard = browser.get("/").body();
        assertThat(dashboard).contains("4 copies", "4 kinds", "1 off-site", "Bucket synced just now",
                "USB disk synced just now");
        assertThat(dashboard).contains("<option value=\"" + bucketId + "\">Bucket</option>");
    }

    @Test
    void aRestoreTestOfTheBucketCopyStartedByTheApiReadsTheBucketAndPasses() throws Exception {
        long id = JSON.readTree(api("POST", "/api/v1/targets", s3Body("Bucket", S3Server.SECRET_KEY)).body())
                .get("id").asLong();
        assertThat(awaitJob(JSON.readTree(api("POST", "/api/v1/targets/" + id + "/sync", null).body())
                .get("job").asLong()).get("state").asText()).isEqualTo("succeeded");

        HttpResponse<String> started = api("POST", "/api/v1/restore-tests",
                "{\"device\": \"laptop\", \"copy\": \"" + id + "\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode done = awaitJob(JSON.readTree(started.body()).get("job").asLong());

        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.get("copy").asText()).isEqualTo(Long.toString(id));
        JsonNode result = done.get("result");
        assertThat(result.get("verdict").asText()).as(result.toString()).isEqualTo("passed");
        assertThat(result.get("copyName").asText()).isEqualTo("Bucket");
        assertThat(result.get("location").asText()).as("read from the bucket, not the NAS")
                .isEqualTo("s3:" + s3.endpoint() + "/" + bucket + "/family");
        assertThat(done.toString()).doesNotContain(S3Server.SECRET_KEY);

        HttpResponse<String> unknown = api("POST", "/api/v1/restore-tests", "{\"device\": \"laptop\", \"copy\": \"999\"}");
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    }

    @Test
    void aCopyStaysCountedByItsLastGoodSyncAndTheDashboardSaysWhenTheLatestFailed() throws Exception {
        PanelClient browser = panel.login("alice", "long enough");
        long id = JSON.readTree(api("POST", "/api/v1/targets", s3Body("Bucket", S3Server.SECRET_KEY)).body())
                .get("id").asLong();
        assertThat(awaitJob(JSON.readTree(api("POST", "/api/v1/targets/" + id + "/sync", null).body())
                .get("job").asLong()).get("state").asText()).isEqualTo("succeeded");
        assertThat(browser.get("/").body()).contains("3 copies", "1 off-site", "Bucket synced just now");

        // A revoked key: the next sync fails, but what the first one sent is still a whole copy.
        assertThat(api("PATCH", "/api/v1/targets/" + id, "{\"secretKey\": \"revoked-secret-000\"}").statusCode())
                .isEqualTo(200);
        assertThat(awaitJob(JSON.readTree(api("POST", "/api/v1/targets/" + id + "/sync", null).body())
                .get("job").asLong()).get("state").asText()).isEqualTo("failed");
        assertThat(JSON.readTree(api("GET", "/api/v1/targets/" + id, null).body()).get("lastSync").get("state").asText())
                .isEqualTo("failed");

        String dashboard = browser.get("/").body();
        assertThat(dashboard).contains("3 copies", "1 off-site", "Bucket synced just now; its latest sync failed just now");
        assertThat(dashboard).doesNotContain("holds no checked copy yet");
        assertThat(browser.get("/copies").body()).contains("failed", "last good sync just now");
    }

    @Test
    void removingACopyInThePanelNeedsTheConfirmationAndLeavesTheCopyInPlace() throws Exception {
        PanelClient browser = panel.login("alice", "long enough");
        long id = JSON.readTree(api("POST", "/api/v1/targets",
                "{\"type\": \"folder\", \"name\": \"USB disk\", \"path\": \"" + usb + "\"}").body()).get("id").asLong();
        assertThat(awaitJob(JSON.readTree(api("POST", "/api/v1/targets/" + id + "/sync", null).body())
                .get("job").asLong()).get("state").asText()).isEqualTo("succeeded");

        HttpResponse<String> unconfirmed = browser.post("/copies/" + id + "/remove", Map.of());
        assertThat(unconfirmed.statusCode()).isEqualTo(422);
        assertThat(unconfirmed.body()).contains("Tick the box");
        assertThat(api("GET", "/api/v1/targets/" + id, null).statusCode()).isEqualTo(200);

        assertThat(browser.post("/copies/" + id + "/remove", Map.of("confirm", "on")).statusCode()).isEqualTo(303);
        assertThat(api("GET", "/api/v1/targets/" + id, null).statusCode()).isEqualTo(404);
        assertThat(Files.isRegularFile(usb.resolve("config"))).as("the copy stays on the disk").isTrue();
    }

    @Test
    void aCopyShowsWhatWaitsToBeRemovedAfterAPruneAndItsDelayIsEditableWithAWarningAtZero() throws Exception {
        long id = JSON.readTree(api("POST", "/api/v1/targets",
                "{\"type\": \"folder\", \"name\": \"USB disk\", \"path\": \"" + usb + "\"}").body()).get("id").asLong();
        JsonNode fresh = JSON.readTree(api("GET", "/api/v1/targets/" + id, null).body());
        assertThat(fresh.get("deleteDelayDays").asLong()).isEqualTo(30);
        assertThat(fresh.get("waitingRemoval").get("objects").asLong()).isZero();
        assertThat(awaitJob(JSON.readTree(api("POST", "/api/v1/targets/" + id + "/sync", null).body()).get("job").asLong())
                .get("state").asText()).isEqualTo("succeeded");
        String first = engine.snapshots().list("laptop").getFirst().id().hex();
        Path later = Files.createTempDirectory(usb.getParent(), "laptop-later");
        Files.writeString(later.resolve("other.txt"), "chapter two\n".repeat(500));
        engine.backupFolder("laptop", later);
        new app.threefold.repository.ResticCli(Path.of(engine.repository().backend().location()),
                "repository password").ok("forget", "--prune", first);

        JsonNode synced = awaitJob(JSON.readTree(api("POST", "/api/v1/targets/" + id + "/sync", null).body())
                .get("job").asLong());

        assertThat(synced.get("result").get("waitingRemoval").asLong()).as(synced.toString()).isPositive();
        assertThat(synced.get("result").get("removed").asLong()).isZero();
        JsonNode waiting = JSON.readTree(api("GET", "/api/v1/targets/" + id, null).body()).get("waitingRemoval");
        assertThat(waiting.get("objects").asLong()).isEqualTo(synced.get("result").get("waitingRemoval").asLong());
        assertThat(java.time.Instant.parse(waiting.get("firstOn").asText()))
                .isAfter(java.time.Instant.now().plus(java.time.Duration.ofDays(29)));
        PanelClient browser = panel.login("alice", "long enough");
        assertThat(browser.get("/copies").body()).contains(waiting.get("objects").asLong() + " objects")
                .contains("waiting to be removed (first on ");
        assertThat(browser.get("/copies/" + id).body()).contains("waiting to be removed").contains("name=\"delayDays\"")
                .doesNotContain("data-no-delay");

        HttpResponse<String> negative = api("PATCH", "/api/v1/targets/" + id, "{\"deleteDelayDays\": -1}");
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("0 to 3650");
        HttpResponse<String> none = api("PATCH", "/api/v1/targets/" + id, "{\"deleteDelayDays\": 0}");
        assertThat(none.statusCode()).as(none.body()).isEqualTo(200);
        assertThat(JSON.readTree(none.body()).get("deleteDelayWarning").asText()).contains("no delay");
        assertThat(browser.get("/copies/" + id).body()).contains("data-no-delay", "No delay: whatever is forgotten");

        // Lowering the delay is not retroactive: what already waits keeps its date, so it can still be undone.
        JsonNode lowered = awaitJob(JSON.readTree(api("POST", "/api/v1/targets/" + id + "/sync", null).body())
                .get("job").asLong());
        assertThat(lowered.get("result").get("removed").asLong()).as(lowered.toString()).isZero();
        assertThat(JSON.readTree(api("GET", "/api/v1/targets/" + id, null).body()).get("waitingRemoval"))
                .isEqualTo(waiting);
        assertThat(browser.get("/copies").body()).contains("waiting to be removed (first on ");

        HttpResponse<String> never = api("PATCH", "/api/v1/targets/" + id, "{\"deleteDelayDays\": null}");
        assertThat(never.statusCode()).as(never.body()).isEqualTo(200);
        assertThat(JSON.readTree(never.body()).get("deleteDelayDays").isNull()).isTrue();
        assertThat(browser.get("/copies/" + id).body()).contains("data-never-removes").doesNotContain("data-no-delay");
        assertThat(browser.get("/copies").body()).contains("never removes");

        assertThat(browser.post("/copies/" + id, Map.of("name", "USB disk", "path", usb.toString(), "kind", "daily",
                "time", "02:30", "hours", "6", "mbits", "", "enabled", "on", "delayDays", "14")).statusCode()).isEqualTo(303);
        assertThat(JSON.readTree(api("GET", "/api/v1/targets/" + id, null).body()).get("deleteDelayDays").asLong())
                .isEqualTo(14);
        HttpResponse<String> badDays = browser.post("/copies/" + id, Map.of("name", "USB disk", "path", usb.toString(),
                "kind", "daily", "time", "02:30", "hours", "6", "mbits", "", "enabled", "on", "delayDays", "soon"));
        assertThat(badDays.statusCode()).isBetween(400, 422);
        assertThat(badDays.body()).contains("whole number");
    }

    private JsonNode awaitJob(long id) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            JsonNode job = JSON.readTree(api("GET", "/api/v1/jobs/" + id, null).body());
            String state = job.get("state").asText();
            if (state.equals("succeeded") || state.equals("failed")) {
                return job;
            }
            assertThat(System.nanoTime()).as("job " + id + " ends within 120 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private HttpResponse<String> api(String method, String path, String body) throws Exception {
        return script.send(method, path, body, body == null ? Map.of("Authorization", admin)
                : Map.of("Authorization", admin, "Content-Type", "application/json"));
    }
}
