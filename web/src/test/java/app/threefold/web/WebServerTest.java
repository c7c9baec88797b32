package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.health.ComponentHealth;
import app.threefold.health.ComponentHealth.State;
import app.threefold.health.HealthProbe;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestDatabase.class)
class WebServerTest {

    private static final Instant STARTED = Instant.parse("2026-11-23T10:00:00Z");
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicReference<State> repository = new AtomicReference<>(State.UP);
    private ApiTokens tokens;
    private WebServices services;
    private WebServer server;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir) {
        Clock clock = Clock.fixed(STARTED.plusSeconds(90), ZoneOffset.UTC);
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        tokens = new ApiTokens(catalog.jdbi(), clock, new SecureRandom());
        HealthProbe probe = () -> List.of(
                new ComponentHealth("database", catalog.isReachable() ? State.UP : State.DOWN),
                new ComponentHealth("repository", repository.get()));
        services = new WebServices("1.2.3", clock, STARTED, probe, accounts, tokens, dataDir, null, java.util.Map::of,
                TestPanel.create(catalog, accounts, clock, dataDir));
        server = WebServer.start("127.0.0.1", 0, services);
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        services.panel().jobs().close();
    }

    @Test
    void healthzAnswersWithoutAuthenticationWhenEverythingIsUp() throws Exception {
        HttpResponse<String> response = get("/healthz", null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("ok");
        assertThat(body.get("version").asText()).isEqualTo("1.2.3");
        assertThat(body.get("database").asText()).isEqualTo("up");
        assertThat(body.get("repository").asText()).isEqualTo("up");
    }

    @Test
    void healthzIsUnavailableWhenAPartIsDownButNotWhenTheRepositoryIsMerelyNotCreatedYet() throws Exception {
        repository.set(State.MISSING);
        HttpResponse<String> missing = get("/healthz", null);
        assertThat(missing.statusCode()).isEqualTo(200);
        assertThat(json.readTree(missing.body()).get("repository").asText()).isEqualTo("missing");

        repository.set(State.DOWN);
        HttpResponse<String> down = get("/healthz", null);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(json.readTree(down.body()).get("status").asText()).isEqualTo("unavailable");
    }

    @Test
    void theApiWithoutCredentialsIsRefusedWithAChallengeAndAJsonError() throws Exception {
        HttpResponse<String> response = get("/api/v1/status", null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(json.readTree(response.body()).get("error").asText()).contains("Authentication required");
    }

    @Test
    void theApiAcceptsAnAdminsBasicCredentialsAndRejectsAWrongPassword() throws Exception {
        HttpResponse<String> ok = get("/api/v1/status", basic("alice", "long enough"));
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode status = json.readTree(ok.body());
        assertThat(status.get("version").asText()).isEqualTo("1.2.3");
        assertThat(status.get("uptimeSeconds").asLong()).isEqualTo(90);
        assertThat(status.get("database").asText()).isEqualTo("up");
        assertThat(status.get("dataDirFreeBytes").asLong()).isPositive();
        assertThat(status.get("admin").asText()).isEqualTo("alice");

        assertThat(get("/api/v1/status", basic("alice", "wrong password")).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/status", "Basic not-base64!").statusCode()).isEqualTo(401);
    }

    @Test
    void theApiAcceptsABearerTokenAndRejectsAnUnknownOne() throws Exception {
        String secret = tokens.create("alice", "test").secret();

        assertThat(get("/api/v1/status", "Bearer " + secret).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/status", "Bearer tf_unknown").statusCode()).isEqualTo(401);
    }

    private List<String> audited(String action) {
        return services.panel().audit().search(action, null, 100).stream()
                .map(e -> e.actor() + " " + e.detail()).toList();
    }

    @Test
    void afterFiveWrongBasicPasswordsEvenTheRightOneIsAnswered429WithRetryAfterAndItIsAudited() throws Exception {
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ROOT");
        root.addAppender(logged);
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(get("/api/v1/status", basic("alice", "guess " + i)).statusCode()).isEqualTo(401);
            }
            HttpResponse<String> blocked = get("/api/v1/status", basic("alice", "long enough"));
            assertThat(blocked.statusCode()).isEqualTo(429);
            // The clock stands still, so the whole window is left: 15 minutes.
            assertThat(blocked.headers().firstValue("Retry-After")).hasValue("900");
            assertThat(json.readTree(blocked.body()).get("error").asText()).contains("Too many failed logins", "900 seconds");
            assertThat(get("/api/v1/status", "Bearer " + tokens.create("alice", "script").secret()).statusCode())
                    .as("the address is blocked for tokens too").isEqualTo(429);
        } finally {
            root.detachAppender(logged);
        }
        assertThat(audited("login.api-failed")).hasSize(5).allSatisfy(a -> assertThat(a).startsWith("alice ").contains("127.0.0.1"));
        assertThat(audited("login.api-blocked")).as("the block's first refusal; the rest go to the log file").hasSize(1);
        assertThat(logged.list).filteredOn(e -> e.getFormattedMessage().startsWith("API login failed for alice from 127.0.0.1"))
                .hasSize(5);
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("API login refused", "blocked until"));
    }

    @Test
    void afterFiveUnknownTokensTheAddressIsAnswered429() throws Exception {
        String secret = tokens.create("alice", "script").secret();
        for (int i = 0; i < 5; i++) {
            assertThat(get("/api/v1/status", "Bearer tf_guess" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> blocked = get("/api/v1/status", "Bearer " + secret);
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.headers().firstValue("Retry-After")).isPresent();
        assertThat(audited("login.api-failed")).hasSize(5).allSatisfy(a -> assertThat(a).startsWith("(bearer) "));
    }

    @Test
    void anUnknownApiPathIsAJson404ForAnAuthenticatedCaller() throws Exception {
        HttpResponse<String> response = get("/api/v1/nothing", basic("alice", "long enough"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json.readTree(response.body()).get("error").asText()).contains("/api/v1/nothing");
    }

    @Test
    void aPortInUseIsReportedWithWhatToDo() {
        assertThatThrownBy(() -> WebServer.start("127.0.0.1", server.port(), services))
                .isInstanceOf(WebServerException.class)
                .hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageContaining("--http-port");
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
