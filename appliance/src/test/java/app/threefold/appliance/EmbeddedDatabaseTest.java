package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
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

    private static final Set<PosixFilePermission> OTHERS_WRITE =
            EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    @Test
    void theRuntimeFolderIsTheOwnersAloneAndNothingInItIsWritableByOthers() throws Exception {
        EmbeddedDatabase.start(dataDir).close();

        Path runtime = dataDir.resolve("runtime");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime))).isEqualTo("rwx------");
        assertThat(writableByOthers(runtime)).isEmpty();
        // Even when zonky unpacked binaries elsewhere earlier in this JVM (other tests' catalogs).
        String binaries = Files.readAllLines(runtime.resolve(PostgresInstallation.MARKER)).get(1);
        assertThat(runtime.resolve(binaries).normalize()).startsWith(runtime);
    }

    @Test
    void binariesInARuntimeFolderOthersCouldWriteAreNotRunButUnpackedAgainAndTheFolderBecomesTheOwnersAlone() throws Exception {
        EmbeddedDatabase.start(dataDir).close();
        Path runtime = dataDir.resolve("runtime");
        Path binaries = runtime.resolve(Files.readAllLines(runtime.resolve(PostgresInstallation.MARKER)).get(1));
        // What earlier versions left (drwxrwxrwx), and what any local user could then do to it.
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path tampered = dataDir.resolve("tampered");
        Path postgres = binaries.resolve("postgres");
        Files.move(postgres, binaries.resolve("postgres.real"));
        Files.writeString(postgres, "#!/bin/sh\ntouch " + tampered + "\nexec " + binaries.resolve("postgres.real") + " \"$@\"\n");
        Files.setPosixFilePermissions(postgres, PosixFilePermissions.fromString("rwxrwxrwx"));

        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir);
             var connection = DriverManager.getConnection(database.jdbcUrl())) {
            assertThat(connection.isValid(2)).isTrue();
        }

        assertThat(tampered).as("a binary replaced by another user ran").doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runtime))).isEqualTo("rwx------");
        assertThat(writableByOthers(runtime)).isEmpty();
    }

    @Test
    void aRuntimeFolderOfAnotherUserIsRefusedWithWhatToDoAndNothingRunsFromIt() throws Exception {
        assumeTrue(isRoot(), "only root can give a folder to another user");
        Path runtime = Files.createDirectories(dataDir.resolve("runtime"));
        Files.setAttribute(runtime, "unix:uid", 4242);

        assertThatThrownBy(() -> EmbeddedDatabase.start(dataDir))
                .isInstanceOf(CommandRefusedException.class)
                .hasMessageContaining(runtime.toString())
                .hasMessageContaining("uid 4242")
                .hasMessageContaining("rm -rf " + runtime);
        try (Stream<Path> left = Files.list(runtime)) {
            assertThat(left).as("unpacked into a folder of another user").isEmpty();
        }
        assertThat(dataDir.resolve("postgres")).doesNotExist();
    }

    @Test
    void aDataDirectoryOthersCanWriteIsRefusedWithWhatToDo() throws Exception {
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> EmbeddedDatabase.start(dataDir))
                .isInstanceOf(CommandRefusedException.class)
                .hasMessageContaining(dataDir.toString())
                .hasMessageContaining("chmod go-w " + dataDir);
        assertThat(dataDir.resolve("runtime")).doesNotExist();
    }

    private static List<String> writableByOthers(Path folder) throws Exception {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.filter(p -> !Files.isSymbolicLink(p))
                    .filter(p -> {
                        try {
                            return Files.getPosixFilePermissions(p).stream().anyMatch(OTHERS_WRITE::contains);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(p -> folder.relativize(p) + " " + permissionsOf(p))
                    .limit(20)
                    .toList();
        }
    }

    private static String permissionsOf(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }
}
