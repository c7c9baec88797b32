package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.access.People;
import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.health.ComponentHealth;
import app.threefold.health.ComponentHealth.State;
import app.threefold.health.HealthProbe;
import app.threefold.web.session.Guard;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The panel's front door: every route is closed to strangers, forms need CSRF tokens, guessing is slowed. */
@ExtendWith(TestDatabase.class)
class PanelSecurityTest {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private Catalog catalog;
    private Accounts accounts;
    private WebServices services;
    private WebServer server;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir) {
        this.catalog = catalog;
        Clock clock = Clock.systemUTC();
        accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        HealthProbe probe = () -> List.of(new ComponentHealth("database", State.UP));
        services = new WebServices("test", clock, clock.instant(), probe, accounts,
                new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, null, Map::of,
                TestPanel.create(catalog, accounts, clock, dataDir));
        server = WebServer.start("127.0.0.1", 0, services);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        services.panel().jobs().close();
    }

    @Test
    void beforeSetupEveryPageLeadsToTheWizard() throws Exception {
        HttpClient anonymous = HttpClient.newHttpClient();
        for (String path : List.of("/", "/login", "/devices", "/activity", "/devices/x/snapshots/00")) {
            HttpResponse<String> r = send(anonymous, "GET", path, null, Map.of());
            assertThat(r.statusCode()).as(path).isEqualTo(302);
            assertThat(r.headers().firstValue("Location")).as(path).hasValue("/setup");
        }
        HttpResponse<String> setup = send(anonymous, "GET", "/setup", null, Map.of());
        assertThat(setup.body()).contains("Welcome to Threefold");
        assertThat(setup.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'", "frame-ancestors 'none'");
        assertThat(setup.headers().firstValue("Set-Cookie").orElseThrow()).contains("HttpOnly", "SameSite=Strict");
    }

    @Test
    void everyRouteExceptHealthzLoginAndStaticAssetsIsClosedToStrangers() throws Exception {
        accounts.createAdmin("alice", "long enough".toCharArray());
        HttpClient anonymous = HttpClient.newHttpClient();
        List<String> routes = server.routes();
        assertThat(routes).hasSizeGreaterThan(15).contains("GET /", "GET /jobs/{id}/events", "POST /api/v1/restore-tests",
                "GET /sources", "POST /sources/{source}/run");
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1)
                    .replace("{id}", "1").replaceAll("\\{[^}]+}", "x").replace("*", "x");
            HttpResponse<String> r = send(anonymous, method, path, "", Map.of());
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
    void formsWithoutTheSessionsCsrfTokenAreRefused() throws Exception {
        accounts.createAdmin("alice", "long enough".toCharArray());
        HttpClient browser = browser();
        String token = login(browser, "alice", "long enough");

        HttpResponse<String> forged = send(browser, "POST", "/people", "name=mallory&password=12345678",
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        HttpResponse<String> genuine = send(browser, "POST", "/people",
                "name=bob&password=12345678&_csrf=" + token, Map.of("Content-Type", "application/x-www-form-urlencoded"));

        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(genuine.statusCode()).isEqualTo(303);
        assertThat(services.panel().people().list()).extracting(p -> p.name()).containsExactly("alice", "bob");
    }

    @Test
    void theSixthWrongPasswordInARowIsRefusedEvenWithTheRightOneAfterIt() throws Exception {
        accounts.createAdmin("alice", "long enough".toCharArray());
        HttpClient browser = browser();
        String token = csrfOf(send(browser, "GET", "/login", null, Map.of()).body());
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
        HttpClient browser = browser();
        login(browser, "kid", "kids password");

        HttpResponse<String> dashboard = send(browser, "GET", "/", null, Map.of());
        assertThat(dashboard.body()).contains("kid-laptop").doesNotContain("parents-pc");
        assertThat(send(browser, "GET", "/devices/parents-pc", null, Map.of()).statusCode()).isEqualTo(403);
        assertThat(send(browser, "GET", "/devices/parents-pc/snapshots/" + other + "/file?path=/a", null, Map.of())
                .statusCode()).isEqualTo(403);
        assertThat(send(browser, "GET", "/activity", null, Map.of()).statusCode()).isEqualTo(403);
        HttpResponse<String> api = send(HttpClient.newHttpClient(), "GET", "/api/v1/status", null, Map.of("Authorization",
                "Basic " + java.util.Base64.getEncoder().encodeToString("kid:kids password".getBytes())));
        assertThat(api.statusCode()).isEqualTo(403);
    }

    @Test
    void everyLocalSourceRouteIsForAdminsOnly() throws Exception {
        accounts.createAdmin("alice", "long enough".toCharArray());
        services.panel().people().createMember("kid", "kids password".toCharArray(), List.of("photo-share"));
        HttpClient browser = browser();
        String token = login(browser, "kid", "kids password");
        List<String> routes = server.routes().stream().filter(r -> r.contains(" /sources")).toList();
        assertThat(routes).hasSizeGreaterThanOrEqualTo(6);
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            String path = route.substring(route.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "photo-share");
            // With the session's CSRF token, so the refusal is about the role and not the form.
            HttpResponse<String> r = send(browser, method, path, method.equals("GET") ? null
                            : "_csrf=" + token + "&name=photo-share&path=/tmp&kind=hours&hours=1",
                    Map.of("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(r.statusCode()).as(route).isEqualTo(403);
        }
        assertThat(send(browser, "GET", "/", null, Map.of()).body()).doesNotContain("href=\"/sources\"");
        assertThat(services.panel().sources().list()).isEmpty();
    }

    private String snapshotRow(String device) {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        catalog.jdbi().useHandle(h -> h.createUpdate(
                        "INSERT INTO snapshots (id, device, time, tree, files, bytes) VALUES (:id, :d, :t, :tree, 3, 300)")
                .bind("id", id).bind("d", device).bind("t", OffsetDateTime.now()).bind("tree", new byte[32]).execute());
        return java.util.HexFormat.of().formatHex(id);
    }

    private HttpClient browser() {
        return HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    }

    /** Logs in and returns the session's CSRF token. */
    private String login(HttpClient browser, String name, String password) throws Exception {
        String token = csrfOf(send(browser, "GET", "/login", null, Map.of()).body());
        HttpResponse<String> r = postLogin(browser, token, name, password);
        assertThat(r.statusCode()).isEqualTo(303);
        return csrfOf(send(browser, "GET", "/", null, Map.of()).body());
    }

    private HttpResponse<String> postLogin(HttpClient browser, String token, String name, String password)
            throws Exception {
        return send(browser, "POST", "/login", "_csrf=" + token + "&name=" + name + "&password="
                + password.replace(" ", "+"), Map.of("Content-Type", "application/x-www-form-urlencoded"));
    }

    private static String csrfOf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("a CSRF field in " + html).isTrue();
        return m.group(1);
    }

    private HttpResponse<String> send(HttpClient client, String method, String path, String body,
                                      Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
