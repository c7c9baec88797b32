package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.ApiTokens;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The appliance in this JVM on ephemeral ports, with a real embedded (or external) PostgreSQL. */
class ApplianceTest {

    private static final String ADMIN_PASSWORD = "correct horse battery";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void serveStartsOnAnEphemeralPortAndHealthzAnswersWithJson() throws Exception {
        try (Appliance appliance = start(Map.of())) {
            HttpResponse<String> response = get(appliance, "/healthz", null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(response.body()).contains("\"status\":\"ok\"", "\"database\":\"up\"",
                    "\"repository\":\"missing\"");
        }
        assertThat(dataDir.resolve("postgres").resolve("PG_VERSION")).exists();
        assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void theApiRefusesAnonymousCallersAndAcceptsTheAdminFromInitAndABearerToken() throws Exception {
        assertThat(init(Map.of()).status()).isZero();
        try (Appliance appliance = start(Map.of())) {
            HttpResponse<String> anonymous = get(appliance, "/api/v1/status", null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();

            assertThat(get(appliance, "/api/v1/status", basic("admin", ADMIN_PASSWORD)).statusCode()).isEqualTo(200);
            assertThat(get(appliance, "/api/v1/status", basic("admin", "not the password")).statusCode())
                    .isEqualTo(401);

            String token = new ApiTokens(appliance.catalog().jdbi(), Clock.systemUTC(), new SecureRandom())
                    .create("admin", "test").secret();
            HttpResponse<String> withToken = get(appliance, "/api/v1/status", "Bearer " + token);
            assertThat(withToken.statusCode()).isEqualTo(200);
            assertThat(withToken.body()).contains("\"version\"", "\"uptimeSeconds\"", "\"dataDirFreeBytes\"");
        }
    }

    @Test
    void whatInitWroteToTheCatalogSurvivesAStopAndARestart() throws Exception {
        assertThat(init(Map.of()).status()).isZero();
        String token;
        try (Appliance first = start(Map.of())) {
            token = new ApiTokens(first.catalog().jdbi(), Clock.systemUTC(), new SecureRandom())
                    .create("admin", "kept").secret();
        }
        try (Appliance second = start(Map.of())) {
            assertThat(get(second, "/api/v1/status", basic("admin", ADMIN_PASSWORD)).statusCode()).isEqualTo(200);
            assertThat(get(second, "/api/v1/status", "Bearer " + token).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anExternalDatabaseUrlIsUsedInsteadOfTheEmbeddedPostgres() throws Exception {
        try (TestDatabase.Database external = TestDatabase.create()) {
            Map<String, String> env = Map.of("THREEFOLD_DATABASE_URL", external.jdbcUrl());

            assertThat(init(env).status()).isZero();
            try (Appliance appliance = start(env)) {
                assertThat(get(appliance, "/api/v1/status", basic("admin", ADMIN_PASSWORD)).statusCode())
                        .isEqualTo(200);
            }

            try (Catalog catalog = external.openCatalog()) {
                List<String> admins = catalog.jdbi().withHandle(h -> h.createQuery("SELECT name FROM admin_users")
                        .mapTo(String.class).list());
                assertThat(admins).containsExactly("admin");
            }
            assertThat(dataDir.resolve("postgres")).doesNotExist();
        }
    }

    @Test
    void aSecondServeOnTheSameDataDirIsRefusedWithExitStatusTwo() throws Exception {
        try (Appliance running = start(Map.of())) {
            Run second = main(Map.of(), "serve", "--data-dir", dataDir.toString(), "--http-port", "0",
                    "--bind", "127.0.0.1");

            assertThat(second.status()).isEqualTo(2);
            assertThat(second.err()).isEqualTo("Another Threefold process is using " + dataDir.toAbsolutePath()
                    + " (pid " + ProcessHandle.current().pid() + "); stop it first.\n");
            assertThat(get(running, "/healthz", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void initRefusesADataDirThatAlreadyHasAnAdminAndChangesNothing() throws Exception {
        assertThat(init(Map.of()).status()).isZero();
        Files.writeString(dataDir.resolve("other-password"), "another password\n");

        Run again = main(Map.of(), "init", "--data-dir", dataDir.toString(),
                "--password-file", dataDir.resolve("repo-password").toString(),
                "--admin-user", "mallory", "--admin-password-file", dataDir.resolve("other-password").toString());

        assertThat(again.status()).isEqualTo(2);
        assertThat(again.err()).contains("already set up").contains("nothing was changed");
        try (Appliance appliance = start(Map.of())) {
            List<String> admins = appliance.catalog().jdbi().withHandle(h -> h.createQuery(
                    "SELECT name FROM admin_users").mapTo(String.class).list());
            assertThat(admins).containsExactly("admin");
        }
    }

    @Test
    void initRefusesMissingPasswordFilesAndWeakPasswordsBeforeTouchingTheDataDir() throws Exception {
        Path fresh = dataDir.resolve("fresh");
        Files.writeString(dataDir.resolve("short"), "short\n");

        Run missing = main(Map.of(), "init", "--data-dir", fresh.toString(), "--password-file", "/nonexistent/pw",
                "--admin-user", "admin", "--admin-password-file", dataDir.resolve("short").toString());
        Run weak = main(Map.of(), "init", "--data-dir", fresh.toString(),
                "--password-file", dataDir.resolve("short").toString(),
                "--admin-user", "admin", "--admin-password-file", dataDir.resolve("short").toString());

        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).startsWith("Cannot read --password-file /nonexistent/pw");
        assertThat(weak.status()).isEqualTo(2);
        assertThat(weak.err()).contains("at least 8 characters");
        assertThat(fresh).doesNotExist();
    }

    @Test
    void badFlagsAndValuesExitWithStatusTwoAndOneClearLine() {
        Run notANumber = main(Map.of(), "serve", "--http-port", "abc");
        Run unknown = main(Map.of(), "serve", "--bogus");
        Run outOfRange = main(Map.of(), "serve", "--data-dir", dataDir.toString(), "--sftp-port", "70000");
        Run badEnvironment = main(Map.of("THREEFOLD_HTTP_PORT", "eighty"), "serve", "--data-dir", dataDir.toString());

        assertThat(notANumber.status()).isEqualTo(2);
        assertThat(notANumber.err()).isEqualTo(
                "threefold serve: Invalid value for option '--http-port': 'abc' is not an int"
                        + " (see 'threefold serve --help')\n");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("threefold serve: Unknown option: '--bogus' (see 'threefold serve --help')\n");
        assertThat(outOfRange.status()).isEqualTo(2);
        assertThat(outOfRange.err()).isEqualTo("Invalid port 70000 in --sftp-port: use a number from 0 to 65535.\n");
        assertThat(badEnvironment.status()).isEqualTo(2);
        assertThat(badEnvironment.err()).isEqualTo(
                "Invalid port 'eighty' in THREEFOLD_HTTP_PORT: use a number from 0 to 65535.\n");
        assertThat(dataDir.resolve("postgres")).doesNotExist();
    }

    @Test
    void everyCommandHasHelpThatExitsWithStatusZero() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"serve", "--help"},
                new String[] {"init", "--help"})) {
            Run help = main(Map.of(), args);
            assertThat(help.status()).as(String.join(" ", args)).isZero();
            assertThat(help.out()).startsWith("Usage: threefold");
            assertThat(help.err()).isEmpty();
        }
    }

    @Test
    void theReadyUrlNamesAHostABrowserCanReach() {
        assertThat(ServeCommand.url("0.0.0.0", 8080)).isEqualTo("http://localhost:8080/");
        assertThat(ServeCommand.url("192.168.1.5", 80)).isEqualTo("http://192.168.1.5:80/");
        assertThat(ServeCommand.url("::1", 8080)).isEqualTo("http://[::1]:8080/");
    }

    private Appliance start(Map<String, String> env) {
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), env);
        return Appliance.start(config, "test");
    }

    private Run init(Map<String, String> env) throws Exception {
        Files.writeString(dataDir.resolve("repo-password"), "repository secret\n");
        Files.writeString(dataDir.resolve("admin-password"), ADMIN_PASSWORD + "\n");
        Run run = main(env, "init", "--data-dir", dataDir.toString(),
                "--password-file", dataDir.resolve("repo-password").toString(),
                "--admin-user", "admin", "--admin-password-file", dataDir.resolve("admin-password").toString());
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("Threefold is set up in " + dataDir.toAbsolutePath());
        return run;
    }

    private record Run(int status, String out, String err) {
    }

    private static Run main(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(Appliance appliance, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + appliance.httpPort() + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
