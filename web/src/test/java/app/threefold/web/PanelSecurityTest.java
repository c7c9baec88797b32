package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.access.People;
import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import app.threefold.web.session.Guard;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The panel's front door: every route is closed to strangers, forms need CSRF tokens, guessing is slowed. */
@ExtendWith(TestDatabase.class)
class PanelSecurityTest {

    /**
     * Routes a member may use on a device that is not theirs and still not get a 403: their own
     * pages, logging out, and job progress (which answers 404 for a job that is not theirs).
     */
    private static final Set<String> MEMBER_ROUTES = Set.of("GET /", "GET /devices", "GET /login", "POST /login",
            "POST /logout", "GET /logout", "GET /setup", "POST /setup", "GET /setup/recover", "POST /setup/recover",
            "GET /setup/recover/progress", "GET /healthz", "GET /jobs/{id}/events",
            "GET /jobs/{id}");
    private Catalog catalog;
    private Accounts accounts;
    private WebServices services;
    private WebServer server;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir) {
        this.catalog = catalog;
        Clock clock = Clock.systemUTC();
        PasswordHasher hasher = new PasswordHasher(1024, 1, 1, new SecureRandom());
        accounts = new Accounts(catalog.jdbi(), hasher, clock);
        services = TestPanel.services(catalog, accounts, clock, dataDir, new Devices(catalog.jdbi(), hasher, clock));
        server = WebServer.start("127.0.0.1", 0, services);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        services.panel().jobs().close();
    }

    @Test
    void beforeSetupEveryPageLeadsToTheWizard() throws Exception {
        PanelClient anonymous = new PanelClient(server.port(), HttpClient.newHttpClient());
        for (String path : List.of("/", "/login", "/devices", "/activity", "/devices/x/snapshots/00", "/people/1")) {
            HttpResponse<String> r = anonymous.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(302);
            assertThat(r.headers().firstValue("Location")).as(path).hasValue("/setup");
        }
        HttpResponse<String> setup = anonymous.get("/setup");
        assertThat(setup.body()).contains("Welcome to Threefold");
        assertThat(setup.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'", "frame-ancestors 'none'");
        assertThat(setup.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly", "SameSite=Strict");
    }

    @Test
    void everyRouteExceptHealthzLoginAndStaticAssetsIsClosedToStrangers() throws Exception {
        accounts.createAdmin("alice", "long enough".toCharArray());
        PanelClient anonymous = new PanelClient(server.port(), HttpClient.newHttpClient());
        List<String> routes = server.routes();
        assertThat(routes).hasSizeGreaterThan(15).contains("GET /", "GET /jobs/{id}/events", "POST /api/v1/restore-tests",
                "GET /sources", "POST /sources/{source}/run",
                "POST /devices/{device}/delete", "DELETE /api/v1/devices/{name}", "PATCH /api/v1/devices/{name}",
                "POST /people/{id}/remove");
        for (String route : routes) {
            String method = method(route);
            String path = samplePath(route);
            HttpResponse<String> r = anonymous.send(method, path, "", Map.of());
            if (Guard.oneTimeLink(path)) {
                // Open, but a link nobody made is unknown, and says so without a page of the panel.
                assertThat(r.statusCode()).as(route).isEqualTo(404);
                assertThat(r.body()).as(route).doesNotContain("Dashboard", "alice");
                continue;
            }
            if (Guard.open(path)) {
                // Open to read; a login attempt still needs the login form's CSRF token.
                assertThat(r.statusCode()).as(route).isEqualTo(method.equals("GET") ? 200 : 403);
                continue;
            }
            assertThat(r.statusCode()).as(route).isIn(302, 401);
            assertThat(r.headers().firstValue("WWW-Authenticate").isPresent()).as(route).isEqualTo(path.startsWith("/api/"));
            if (r.statusCode() == 302) {
                assertThat(r.headers().firstValue("Location").orElseThrow()).as(route).startsWith("/login");
            }
            assertThat(r.body()).as(route).doesNotContain("Dashboard", "alice");
        }
    }

    @Test
    void everyAdminRouteAndEveryRouteOfAnotherDeviceForbidsAMember() throws Exception {
        accounts.createAdmin("alice", "long enough".toCharArray());
        services.panel().people().createMember("kid", "kids password".toCharArray(), List.of("kid-laptop"));
        services.devices().create("x", "long enough".toCharArray(), null);
        snapshotRow("x");
        PanelClient kid = new PanelClient(server.port()).login("kid", "kids password");

        for (String route : server.routes()) {
            String path = samplePath(route);
            if (MEMBER_ROUTES.contains(route) || path.startsWith("/api/") || Guard.open(path) || Guard.oneTimeLink(path)) {
                continue;
            }
            HttpResponse<String> r = method(route).equals("GET") ? kid.get(path) : kid.post(path, Map.of("confirm", "x"));
            assertThat(r.statusCode()).as(route).isEqualTo(403);
        }
        assertThat(services.devices().find("x")).isPresent();
        assertThat(services.panel().people().list()).hasSize(2);
        assertThat(services.panel().sources().list()).isEmpty();
        assertThat(kid.get("/").body()).doesNotContain("href=\"/sources\"");
    }

    @Test
    void formsWithoutTheSessionsCsrfTokenAreRefused() throws Exception {
        accounts.createAdmin("alice", "long enough".toCharArray());
        services.devices().create("laptop", "long enough".toCharArray(), null);
        PanelClient browser = new PanelClient(server.port()).login("alice", "long enough");
        String formType = "application/x-www-form-urlencoded";

        HttpResponse<String> forged = browser.send("POST", "/people", "name=mallory&password=12345678",
                Map.of("Content-Type", formType));
        HttpResponse<String> forgedDelete = browser.send("POST", "/devices/laptop/delete", "confirm=laptop",
                Map.of("Content-Type", formType));
        HttpResponse<String> genuine = browser.post("/people", Map.of("name", "bob", "password", "12345678"));

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forgedDelete.statusCode()).isEqualTo(403);
        assertThat(services.devices().find("laptop")).isPresent();
        assertThat(genuine.statusCode()).isEqualTo(303);
        assertThat(services.panel().people().list()).extracting(p -> p.name()).containsExactly("alice", "bob");
    }

    @Test
    void theSixthWrongPasswordInARowIsRefusedEvenWithTheRightOneAfterIt() throws Exception {
        accounts.createAdmin("alice", "long enough".toCharArray());
        PanelClient browser = new PanelClient(server.port());
        String token = PanelClient.csrfOf(browser.get("/login").body());
        for (int i = 0; i < 5; i++) {
            assertThat(postLogin(browser, token, "alice", "wrong password").statusCode()).isEqualTo(401);
        }
        HttpResponse<String> blocked = postLogin(browser, token, "alice", "long enough");
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.body()).contains("Too many failed logins");
    }

    @Test
    void aMemberSeesOnlyTheirDevicesAndGetsForbiddenForOthers() throws Exception {
        accounts.createAdmin("alice", "long enough".toCharArray());
        People people = services.panel().people();
        people.createMember("kid", "kids password".toCharArray(), List.of("kid-laptop"));
        String other = snapshotRow("parents-pc");
        snapshotRow("kid-laptop");
        PanelClient browser = new PanelClient(server.port()).login("kid", "kids password");

        HttpResponse<String> dashboard = browser.get("/");
        assertThat(dashboard.body()).contains("kid-laptop").doesNotContain("parents-pc");
        assertThat(browser.get("/devices/parents-pc").statusCode()).isEqualTo(403);
        assertThat(browser.get("/devices/parents-pc/snapshots/" + other + "/file?path=/a").statusCode()).isEqualTo(403);
        assertThat(browser.get("/activity").statusCode()).isEqualTo(403);
        HttpResponse<String> api = new PanelClient(server.port(), HttpClient.newHttpClient()).send("GET", "/api/v1/status", null,
                Map.of("Authorization", PanelClient.basic("kid", "kids password")));
        assertThat(api.statusCode()).isEqualTo(403);
    }

    private static String method(String route) {
        return route.substring(0, route.indexOf(' '));
    }

    /** A concrete path for a route pattern: ids 1, every other parameter "x". */
    private static String samplePath(String route) {
        return route.substring(route.indexOf(' ') + 1).replace("{id}", "1").replaceAll("\\{[^}]+}", "x").replace("*", "x");
    }

    private String snapshotRow(String device) {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        catalog.jdbi().useHandle(h -> h.createUpdate(
                        "INSERT INTO snapshots (id, device, time, tree, files, bytes) VALUES (:id, :d, :t, :tree, 3, 300)")
                .bind("id", id).bind("d", device).bind("t", OffsetDateTime.now()).bind("tree", new byte[32]).execute());
        return java.util.HexFormat.of().formatHex(id);
    }

    private static HttpResponse<String> postLogin(PanelClient browser, String token, String name, String password)
            throws Exception {
        return browser.send("POST", "/login", PanelClient.form(Map.of("_csrf", token, "name", name, "password", password)),
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
    }
}
