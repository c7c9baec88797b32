package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.alert.Channels;
import app.threefold.alert.Incidents;
import app.threefold.audit.AuditLog;
import app.threefold.backend.LocalBackend;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.health.ComponentHealth;
import app.threefold.health.HealthProbe;
import app.threefold.account.ApiTokens;
import app.threefold.mirror.Seed;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Settings → Alerts with a real webhook receiver on 127.0.0.1, and the wizard's "Restore this appliance from a copy". */
@ExtendWith(TestDatabase.class)
class AlertAndRecoverPagesTest {

    private final Clock clock = Clock.systemUTC();
    private final PasswordHasher hasher = new PasswordHasher(1024, 1, 1, new SecureRandom());

    private WebServices services(Catalog catalog, Accounts accounts, Path dataDir, Devices devices, EngineHolder engine) {
        PanelServices p = TestPanel.create(catalog, accounts, clock, dataDir, engine);
        PanelServices withAlerts = new PanelServices(p.catalog(), p.engine(), p.jobs(), p.restoreTests(), p.restores(), p.audit(),
                p.people(), p.sftpPort(), p.sources(), p.targets(),
                new Channels(catalog.jdbi(), dataDir, new AuditLog(catalog.jdbi(), clock), clock), new Incidents(catalog.jdbi()));
        HealthProbe probe = () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP));
        return new WebServices("test", clock, clock.instant(), probe, accounts, new ApiTokens(catalog.jdbi(), clock, new SecureRandom()),
                dataDir, devices, Map::of, withAlerts);
    }

    @Test
    void anAdminAddsAWebhookAndSendTestDeliversOneMessageOrSaysWhyNot(Catalog catalog, @TempDir Path dataDir) throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        int[] status = {200};
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(status[0], -1);
            exchange.close();
        });
        hook.start();
        Accounts accounts = new Accounts(catalog.jdbi(), hasher, clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        try (TestPanel.Running panel = TestPanel.Running.start(services(catalog, accounts, dataDir,
                new Devices(catalog.jdbi(), hasher, clock), new EngineHolder(null)))) {
            PanelClient admin = panel.login("alice", "long enough");
            assertThat(admin.get("/settings").body()).contains("href=\"/settings/alerts\"");
            assertThat(admin.get("/settings/alerts").body()).contains("No channel yet");

            HttpResponse<String> added = admin.post("/settings/alerts/channels", Map.of("kind", "webhook", "name", "Home Assistant",
                    "url", "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"));
            assertThat(added.statusCode()).isEqualTo(200);
            assertThat(added.body()).contains("Added 'Home Assistant'", "data-channel=\"Home Assistant\"");
            Matcher test = Pattern.compile("/settings/alerts/channels/(\\d+)/test").matcher(added.body());
            assertThat(test.find()).isTrue();

            HttpResponse<String> sent = admin.post(test.group(), Map.of());
            assertThat(sent.body()).contains("Test message sent through");
            assertThat(received).hasSize(1);
            assertThat(received.get(0)).contains("\"event\":\"test\"", "Test alert");

            status[0] = 500;
            HttpResponse<String> failed = admin.post(test.group(), Map.of());
            assertThat(failed.statusCode()).isEqualTo(503);
            assertThat(failed.body()).contains("answered HTTP 500");

            HttpResponse<String> bad = admin.post("/settings/alerts/channels", Map.of("kind", "email", "name", "Mail",
                    "host", "smtp.example.org", "port", "587", "security", "starttls", "from", "nas@example.org", "to", "not an address"));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("The To address");
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void theWizardRestoresTheApplianceFromAFolderCopyAndThePanelOpens(Catalog catalog, @TempDir Path tmp) throws Exception {
        Path usb = tmp.resolve("usb");
        Path laptop = tmp.resolve("laptop");
        Files.createDirectories(laptop);
        Files.writeString(laptop.resolve("thesis.txt"), "chapter one");
        try (Catalog old = TestDatabase.createCatalog();
             Engine engine = Engine.create(tmp.resolve("old"), "recovery kit password".toCharArray(), old, clock)) {
            engine.backupFolder("nas-photos", laptop);
            try (LocalBackend from = LocalBackend.open(engine.repository().backend().location().startsWith("/")
                    ? Path.of(engine.repository().backend().location()) : tmp.resolve("old/repository"));
                 LocalBackend to = LocalBackend.create(usb)) {
                Seed.copy(from, to, p -> { });
            }
        }
        Path dataDir = Files.createDirectories(tmp.resolve("new"));
        Accounts accounts = new Accounts(catalog.jdbi(), hasher, clock);
        EngineHolder engine = new EngineHolder(null);
        try (TestPanel.Running panel = TestPanel.Running.start(services(catalog, accounts, dataDir,
                new Devices(catalog.jdbi(), hasher, clock), engine))) {
            PanelClient browser = new PanelClient(panel.server().port());
            assertThat(browser.get("/setup").body()).contains("href=\"/setup/recover\"", "Restore this appliance from a copy");
            String form = browser.get("/setup/recover").body();
            String token = PanelClient.csrfOf(form);

            HttpResponse<String> wrong = browser.send("POST", "/setup/recover", PanelClient.form(Map.of("_csrf", token,
                            "kind", "folder", "folder", usb.toString(), "repositoryPassword", "not it", "name", "alice",
                            "password", "long enough", "password2", "long enough")),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(wrong.statusCode()).isEqualTo(303);
            String failed = waitUntilDone(browser);
            assertThat(failed).contains("does not open the repository", "Try again");
            assertThat(engine.get()).isEmpty();

            HttpResponse<String> started = browser.send("POST", "/setup/recover", PanelClient.form(Map.of("_csrf", token,
                            "kind", "folder", "folder", usb.toString(), "repositoryPassword", "recovery kit password",
                            "name", "alice", "password", "long enough", "password2", "long enough")),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(started.statusCode()).isEqualTo(303);

            // Another browser on the LAN, while the recovery runs and once it is done: it sees nothing, gets no
            // session, and cannot set the appliance up into the data directory being recovered into.
            PanelClient stranger = new PanelClient(panel.server().port());
            String strangerToken = PanelClient.csrfOf(stranger.get("/setup").body());
            HttpResponse<String> hijack = stranger.send("POST", "/setup", PanelClient.form(Map.of("_csrf", strangerToken,
                            "name", "mallory", "password", "long enough", "password2", "long enough")),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(hijack.statusCode()).as(hijack.body()).isEqualTo(409);
            assertThat(hijack.body()).contains("restore from a copy is under way");
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (engine.get().isEmpty() && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            Thread.sleep(300);
            assertThat(stranger.get("/setup/recover/progress").statusCode()).isEqualTo(403);
            assertThat(stranger.get("/setup/recover").statusCode()).isEqualTo(403);
            assertThat(stranger.get("/").headers().firstValue("Location").orElse("")).startsWith("/setup");
            hijack = stranger.send("POST", "/setup", PanelClient.form(Map.of("_csrf", strangerToken,
                            "name", "mallory", "password", "long enough", "password2", "long enough")),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(hijack.statusCode()).as(hijack.body()).isEqualTo(409);
            assertThat(accounts.anyAdminExists()).isFalse();

            String done = waitUntilDone(browser);
            assertThat(done).contains("Recovered 1 snapshots of nas-photos", "Recovered copy", "Open the panel");
            assertThat(engine.get()).isPresent();

            // The browser that restored it is logged in as the new admin; the wizard is closed to everyone.
            assertThat(browser.get("/").body()).contains("nas-photos", "Log out alice");
            assertThat(browser.get("/copies").body()).contains("Recovered copy");
            assertThat(new PanelClient(panel.server().port()).get("/setup/recover").headers().firstValue("Location").orElse("")).startsWith("/login");
            assertThat(browser.get("/setup/recover").headers().firstValue("Location")).hasValue("/");
            assertThat(panel.login("alice", "long enough").get("/").body()).contains("nas-photos");
        }
    }

    private static String waitUntilDone(PanelClient browser) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        String body;
        do {
            Thread.sleep(200);
            body = browser.get("/setup/recover/progress").body();
        } while (body.contains("Working") && System.nanoTime() < deadline);
        return body;
    }
}
