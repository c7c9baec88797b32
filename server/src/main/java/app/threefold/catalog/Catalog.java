package app.threefold.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's catalog in PostgreSQL: what the UI and the engine need fast (accounts, devices,
 * the blob index, history). Opening it brings the schema up to date with the Flyway migrations in
 * {@code db/migration} ({@code V1__foundation.sql}, {@code V2__engine.sql}, …). Everything about the
 * backed-up data itself can be rebuilt from the repository; the catalog is never the only copy.
 */
public final class Catalog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Catalog.class);
    /**
     * The version of the newest migration in {@code db/migration}; {@code CatalogTest} fails when a
     * newer file is added without raising it.
     */
    static final String SCHEMA_VERSION = "20";

    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private final Jdbi jdbi;

    private Catalog(DataSource dataSource, HikariDataSource ownedPool) {
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    /**
     * Connects to PostgreSQL through a connection pool this catalog owns (and closes), then migrates.
     *
     * @throws CatalogUnavailableException if the server cannot be reached or the migration fails
     */
    public static Catalog open(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("catalog");
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(1);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new CatalogUnavailableException("Cannot connect to the catalog database at "
                    + withoutParameters(jdbcUrl) + " (" + rootMessage(e) + "). Check that PostgreSQL is"
                    + " running there and that the URL, user and password are right.", e);
        }
        try {
            return migrated(new Catalog(pool, pool), withoutParameters(jdbcUrl));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Uses a data source owned by the caller (it is not closed by {@link #close()}), then migrates.
     *
     * @throws CatalogUnavailableException if the migration fails
     */
    public static Catalog open(DataSource dataSource) {
        return migrated(new Catalog(Objects.requireNonNull(dataSource, "dataSource"), null), "the given data source");
    }

    private static Catalog migrated(Catalog catalog, String where) {
        if (isCurrent(catalog.dataSource)) {
            return catalog;
        }
        try {
            var result = Flyway.configure()
                    .dataSource(catalog.dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                log.info("Catalog schema migrated to version {} ({} migrations)", result.targetSchemaVersion,
                        result.migrationsExecuted);
            }
            return catalog;
        } catch (FlywayException e) {
            throw new CatalogUnavailableException("Cannot bring the catalog schema at " + where
                    + " up to date (" + rootMessage(e) + "). If this database belongs to a newer Threefold,"
                    + " run that version; otherwise restore the catalog or rebuild it from the repository.", e);
        }
    }

    /**
     * Whether the schema history already ends with the newest migration, all of them successful:
     * then Flyway would find nothing to do, and loading it costs every command about 0.1 s. Any
     * other state (a new database, a pending or failed migration, a newer Threefold's schema) is
     * Flyway's to handle and report. The price: Flyway's check that applied migration files were
     * not edited runs only when a migration is pending, which is fine as released ones never are.
     */
    private static boolean isCurrent(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet history = statement.executeQuery("""
                     SELECT to_regclass('flyway_schema_history') IS NOT NULL""")) {
            if (!history.next() || !history.getBoolean(1)) {
                return false;
            }
            try (ResultSet last = statement.executeQuery("""
                    SELECT version, success, NOT EXISTS (SELECT 1 FROM flyway_schema_history WHERE NOT success)
                    FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 1""")) {
                return last.next() && SCHEMA_VERSION.equals(last.getString(1)) && last.getBoolean(2) && last.getBoolean(3);
            }
        } catch (SQLException e) {
            log.debug("Cannot read the catalog's schema history; leaving it to Flyway", e);
            return false;
        }
    }

    /** Jdbi over the catalog, with PostgreSQL types (jsonb, arrays, UUIDs) installed. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /** Whether the database answers right now; for health checks, never throws. */
    public boolean isReachable() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException | RuntimeException e) {
            log.debug("Catalog is not reachable", e);
            return false;
        }
    }

    /** Closes the connection pool if this catalog created it. */
    @Override
    public void close() {
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    // JDBC URLs may carry a password as a parameter; keep it out of messages and logs.
    private static String withoutParameters(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
