package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL as this process's child, with binaries and cluster prepared by zonky once. */
class EmbeddedDatabaseTest {

    @TempDir
    Path dataDir;

    @Test
    void theFirstStartRecordsTheUnpackedBinariesAndLaterStartsRunThemWithTheSameData() throws Exception {
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir);
             var connection = DriverManager.getConnection(database.jdbcUrl())) {
            connection.createStatement().execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
        }
        assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
        List<String> marker = Files.readAllLines(dataDir.resolve("runtime").resolve(PostgresInstallation.MARKER));
        assertThat(marker).hasSize(2);
        assertThat(Path.of(marker.get(1))).isRelative();
        Files.delete(dataDir.resolve("logs").resolve(EmbeddedDatabase.SERVER_LOG));

        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir);
             var connection = DriverManager.getConnection(database.jdbcUrl());
             var rows = connection.createStatement().executeQuery("SELECT n FROM kept")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(42);
        }
        assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
        assertThat(Files.readString(dataDir.resolve("logs").resolve(EmbeddedDatabase.SERVER_LOG)))
                .contains("database system is ready to accept connections", "received smart shutdown request");
    }

    @Test
    void binariesRecordedForAnotherBuildArePreparedAgain() throws Exception {
        EmbeddedDatabase.start(dataDir).close();
        Path marker = dataDir.resolve("runtime").resolve(PostgresInstallation.MARKER);
        List<String> lines = Files.readAllLines(marker);
        // The binaries are still there: only the build line tells that they are another build's.
        Files.writeString(marker, "an older build;\n" + lines.get(1) + "\n", StandardCharsets.UTF_8);

        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir);
             var connection = DriverManager.getConnection(database.jdbcUrl())) {
            assertThat(connection.isValid(2)).isTrue();
        }
        assertThat(Files.readAllLines(marker)).isEqualTo(lines);
    }
}
