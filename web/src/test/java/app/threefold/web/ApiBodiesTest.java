package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** JSON API bodies: strict fields, JSON only, and nothing a foreign web page can make a browser send. */
@ExtendWith(TestDatabase.class)
class ApiBodiesTest {

    private static final String JSON = "application/json";
    private WebServices services;
    private WebServer server;
    private PanelClient script;
    private String admin;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir) {
        Clock clock = Clock.systemUTC();
        PasswordHasher hasher = new PasswordHasher(1024, 1, 1, new SecureRandom());
        Accounts accounts = new Accounts(catalog.jdbi(), hasher, clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        services = TestPanel.services(catalog, accounts, clock, dataDir, new Devices(catalog.jdbi(), hasher, clock));
        server = WebServer.start("127.0.0.1", 0, services);
        script = new PanelClient(server.port(), HttpClient.newHttpClient());
        admin = PanelClient.basic("alice", "long enough");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        services.panel().jobs().close();
    }

    @Test
    void anUnknownFieldIsA400NamingTheFieldOnEveryJsonEndpoint() throws Exception {
        services.devices().create("laptop", "long enough".toCharArray(), null);

        HttpResponse<String> create = api("POST", "/api/v1/devices", "{\"name\": \"pc\", \"password\": \"long enough\", \"pasword\": \"x\"}");
        HttpResponse<String> change = api("PATCH", "/api/v1/devices/laptop", "{\"enabled\": false, \"quota\": 5}");
        HttpResponse<String> test = api("POST", "/api/v1/restore-tests", "{\"device\": \"laptop\", \"copies\": \"local\"}");
        HttpResponse<String> broken = api("POST", "/api/v1/devices", "{\"name\": \"pc\",");
        HttpResponse<String> wrongType = api("POST", "/api/v1/devices", "{\"name\": [\"pc\"]}");

        assertThat(create.statusCode()).as(create.body()).isEqualTo(400);
        assertThat(create.body()).contains("Unknown field \\\"pasword\\\"", "name, password, publicKey");
        assertThat(change.statusCode()).as(change.body()).isEqualTo(400);
        assertThat(change.body()).contains("Unknown field \\\"quota\\\"");
        assertThat(test.statusCode()).as(test.body()).isEqualTo(400);
        assertThat(test.body()).contains("Unknown field \\\"copies\\\"");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.body()).contains("not valid JSON");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(wrongType.body()).contains("\\\"name\\\"");
        assertThat(services.devices().find("pc")).isEmpty();
        assertThat(services.devices().find("laptop").orElseThrow().enabled()).isTrue();
    }

    @Test
    void aBodyThatIsNotSentAsJsonIsRefusedWith415() throws Exception {
        HttpResponse<String> plain = script.send("POST", "/api/v1/devices", "{\"name\": \"pc\", \"password\": \"long enough\"}",
                Map.of("Authorization", admin, "Content-Type", "text/plain"));
        HttpResponse<String> form = script.send("POST", "/api/v1/devices", "name=pc&password=long+enough",
                Map.of("Authorization", admin, "Content-Type", "application/x-www-form-urlencoded"));
        HttpResponse<String> json = script.send("POST", "/api/v1/devices", "{\"name\": \"pc\", \"password\": \"long enough\"}",
                Map.of("Authorization", admin, "Content-Type", "application/json; charset=utf-8"));

        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(415);
        assertThat(plain.body()).contains("Content-Type: application/json");
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(json.statusCode()).as(json.body()).isEqualTo(201);
    }

    @Test
    void aRequestFromAForeignOriginWithRememberedCredentialsIsRefused() throws Exception {
        String body = "{\"name\": \"pc\", \"password\": \"long enough\"}";
        HttpResponse<String> foreign = script.send("POST", "/api/v1/devices", body,
                Map.of("Authorization", admin, "Content-Type", JSON, "Origin", "http://evil.example"));
        HttpResponse<String> foreignPlain = script.send("POST", "/api/v1/devices", body,
                Map.of("Authorization", admin, "Content-Type", "text/plain", "Origin", "http://evil.example"));
        HttpResponse<String> own = script.send("POST", "/api/v1/devices", body,
                Map.of("Authorization", admin, "Content-Type", JSON, "Origin", "http://127.0.0.1:" + server.port()));

        assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(403);
        assertThat(foreign.body()).contains("another web site");
        assertThat(foreignPlain.statusCode()).isEqualTo(403);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(201);
        assertThat(services.devices().list()).hasSize(1);
    }

    @Test
    void aPanelFormFromAForeignOriginIsRefusedEvenWithTheSessionsToken() throws Exception {
        PanelClient browser = new PanelClient(server.port()).login("alice", "long enough");
        String form = PanelClient.form(Map.of("_csrf", browser.csrf(), "name", "mallory", "password", "12345678"));
        String type = "application/x-www-form-urlencoded";

        HttpResponse<String> foreign = browser.send("POST", "/people", form, Map.of("Content-Type", type,
                "Origin", "https://evil.example"));
        HttpResponse<String> opaque = browser.send("POST", "/people", form, Map.of("Content-Type", type, "Origin", "null"));
        HttpResponse<String> own = browser.send("POST", "/people", form, Map.of("Content-Type", type,
                "Origin", "http://127.0.0.1:" + server.port()));

        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(opaque.statusCode()).isEqualTo(403);
        assertThat(own.statusCode()).isEqualTo(303);
        assertThat(services.panel().people().list()).extracting(p -> p.name()).containsExactly("alice", "mallory");
    }

    private HttpResponse<String> api(String method, String path, String body) throws Exception {
        return script.send(method, path, body, Map.of("Authorization", admin, "Content-Type", JSON));
    }
}
