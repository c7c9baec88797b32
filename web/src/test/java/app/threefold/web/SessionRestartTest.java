package app.threefold.web;

import app.threefold.clock.TestClock;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Admin sessions live in the catalog: a restart of the appliance does not log anyone out. */
@ExtendWith(TestDatabase.class)
class SessionRestartTest {

    @Test
    void anAdminStaysLoggedInAcrossARestartAndTheCatalogHoldsOnlyAHashOfTheSessionId(Catalog catalog, @TempDir Path dataDir)
            throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00Z"));
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        CookieManager cookies = new CookieManager();
        HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies).build();

        WebServices services = TestPanel.services(catalog, accounts, clock, dataDir, null);
        PanelClient before;
        int port;
        try (TestPanel.Running panel = TestPanel.Running.start(services)) {
            port = panel.server().port();
            before = new PanelClient(port, browser).login("alice", "long enough");
        }
        String sessionId = cookies.getCookieStore().getCookies().stream()
                .filter(c -> c.getName().equals("threefold_session")).map(HttpCookie::getValue).findFirst().orElseThrow();

        // The same appliance starts again (new server, new Sessions) on another port; the browser keeps its cookie.
        try (TestPanel.Running restarted = TestPanel.Running.start(
                TestPanel.services(catalog, accounts, clock, dataDir, null))) {
            PanelClient after = new PanelClient(restarted.server().port(), HttpClient.newBuilder().cookieHandler(cookies).build());
            HttpResponse<String> dashboard = after.get("/");
            assertThat(dashboard.statusCode()).as("still logged in after the restart").isEqualTo(200);
            assertThat(dashboard.body()).contains("Log out alice");
            // The CSRF token of the session survives too: a form posted after the restart is accepted.
            assertThat(PanelClient.csrfOf(dashboard.body())).isEqualTo(before.csrf());

            List<byte[]> stored = catalog.jdbi().withHandle(h -> h.createQuery("SELECT id_hash FROM admin_sessions")
                    .mapTo(byte[].class).list());
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.US_ASCII));
            assertThat(stored).anySatisfy(h -> assertThat(h).isEqualTo(hash));
            String everything = catalog.jdbi().withHandle(h -> h.createQuery("SELECT string_agg(t::text, ' ') FROM admin_sessions t")
                    .mapTo(String.class).one());
            assertThat(everything).doesNotContain(sessionId);

            // Idle expiry is as before: 12 hours without a request and the session is gone.
            clock.advance(Duration.ofHours(12).plusSeconds(60));
            HttpResponse<String> expired = after.get("/");
            assertThat(expired.statusCode()).isEqualTo(302);
            assertThat(expired.headers().firstValue("Location").orElseThrow()).startsWith("/login");
        }
    }

    @Test
    void loggingOutEndsTheSessionForGood(Catalog catalog, @TempDir Path dataDir) throws Exception {
        Clock clock = Clock.systemUTC();
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("bob", "long enough".toCharArray());
        CookieManager cookies = new CookieManager();
        try (TestPanel.Running panel = TestPanel.Running.start(TestPanel.services(catalog, accounts, clock, dataDir, null))) {
            PanelClient bob = new PanelClient(panel.server().port(), HttpClient.newBuilder().cookieHandler(cookies).build())
                    .login("bob", "long enough");
            String sessionId = cookies.getCookieStore().getCookies().stream()
                    .filter(c -> c.getName().equals("threefold_session")).map(HttpCookie::getValue).findFirst().orElseThrow();
            assertThat(bob.post("/logout", Map.of()).statusCode()).isEqualTo(303);

            // Replaying the old cookie gets the login page.
            HttpResponse<String> replay = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + panel.server().port() + "/")).header("Cookie", "threefold_session=" + sessionId)
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(replay.statusCode()).isEqualTo(302);
        }
    }
}
