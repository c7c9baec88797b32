package app.threefold.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestDatabase.class)
class CatalogTest {

    @Test
    void openingAnEmptyDatabaseCreatesTheFoundationTables(Catalog catalog) {
        var tables = catalog.jdbi().withHandle(h -> h.createQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
                .mapTo(String.class).list());
        assertThat(tables).contains("admin_users", "api_tokens", "settings", "audit_log");
        assertThat(catalog.isReachable()).isTrue();
    }

    @Test
    void reopeningAMigratedDatabaseKeepsItsRows(TestDatabase.Database database) {
        try (Catalog first = database.openCatalog()) {
            first.jdbi().useHandle(h -> h.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')"));
        }
        try (Catalog second = database.openCatalog()) {
            String value = second.jdbi().withHandle(h -> h.createQuery("SELECT value FROM settings WHERE key = 'k'")
                    .mapTo(String.class).one());
            assertThat(value).isEqualTo("v");
        }
    }

    /**
     * Table owners compose this way (e.g. {@code People} over accounts and member devices): each
     * owner opens its own handle, and inside another's transaction Jdbi hands it that one, so a
     * refusal anywhere undoes every owner's change.
     */
    @Test
    void anOwnersCallInsideAnotherOwnersTransactionJoinsIt(Catalog catalog) {
        var jdbi = catalog.jdbi();
        assertThatThrownBy(() -> jdbi.useTransaction(outer -> {
            outer.execute("INSERT INTO settings (key, value) VALUES ('outer', 'x')");
            jdbi.useTransaction(inner -> {
                assertThat(inner).isSameAs(outer);
                inner.execute("INSERT INTO settings (key, value) VALUES ('inner', 'x')");
            });
            jdbi.useHandle(h -> h.execute("INSERT INTO settings (key, value) VALUES ('plain', 'x')"));
            throw new IllegalStateException("refused");
        })).hasMessage("refused");

        long left = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM settings WHERE key IN ('outer', 'inner', 'plain')")
                .mapTo(Long.class).one());
        assertThat(left).isZero();
    }

    @Test
    void theSchemaVersionCheckedAtOpeningIsTheNewestMigration() throws Exception {
        // Whole-number versions only: the check at opening compares the last one applied with
        // SCHEMA_VERSION, so a "V6_1__" or "V6.1__" hotfix would be skipped on current databases.
        Pattern versioned = Pattern.compile("V(\\d+)__.+\\.sql");
        int newest;
        try (var files = Files.list(Path.of(Catalog.class.getResource("/db/migration").toURI()))) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            assertThat(names).allMatch(n -> versioned.matcher(n).matches(), "named V<whole number>__<description>.sql");
            newest = names.stream().map(versioned::matcher).filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .max().orElseThrow();
        }
        assertThat(Catalog.SCHEMA_VERSION).isEqualTo(Integer.toString(newest));
    }

    @Test
    void aSchemaBehindTheNewestMigrationIsStillLeftToFlyway(TestDatabase.Database database) {
        try (Catalog first = database.openCatalog()) {
            first.jdbi().useHandle(h -> h.execute("DELETE FROM flyway_schema_history WHERE version = ?", Catalog.SCHEMA_VERSION));
        }
        // Flyway applies the newest migration again, which fails on the tables it made the first time.
        assertThatThrownBy(database::openCatalog)
                .isInstanceOf(CatalogUnavailableException.class)
                .hasMessageContaining("up to date");
    }

    @Test
    void eachTestGetsItsOwnEmptyDatabase(Catalog catalog) {
        int rows = catalog.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM settings")
                .mapTo(Integer.class).one());
        assertThat(rows).isZero();
    }

    @Test
    void anUnreachableServerIsReportedWithWhatToCheckAndWithoutTheUrlParameters() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/nothing?password=secret&connectTimeout=2";
        assertThatThrownBy(() -> Catalog.open(url, "postgres", ""))
                .isInstanceOf(CatalogUnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort + "/nothing")
                .hasMessageContaining("Check that PostgreSQL is running")
                .hasMessageNotContaining("secret");
    }

    @Test
    void closingACatalogOverACallersDataSourceLeavesTheDataSourceUsable(TestDatabase.Database database)
            throws Exception {
        var dataSource = TestDatabase.server().getDatabase("postgres", database.name());
        try (Catalog catalog = Catalog.open(dataSource)) {
            assertThat(catalog.isReachable()).isTrue();
        }
        try (var connection = dataSource.getConnection()) {
            assertThat(connection.isValid(1)).isTrue();
        }
    }
}
