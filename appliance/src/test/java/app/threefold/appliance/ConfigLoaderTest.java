package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dataDir;

    @Test
    void withNothingGivenTheDefaultsApply() {
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null), Map.of());

        assertThat(config).isEqualTo(new Config(dataDir.toAbsolutePath(), "0.0.0.0", 8080, 2222,
                java.util.Optional.empty()));
    }

    @Test
    void theDataDirComesFromTheFlagThenTheEnvironmentThenDefaultsToData() {
        Path fromEnv = dataDir.resolve("env");
        assertThat(ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null),
                Map.of("THREEFOLD_DATA_DIR", fromEnv.toString())).dataDir()).isEqualTo(dataDir.toAbsolutePath());
        assertThat(ConfigLoader.load(ConfigLoader.Flags.none(), Map.of("THREEFOLD_DATA_DIR", fromEnv.toString()))
                .dataDir()).isEqualTo(fromEnv.toAbsolutePath());
        assertThat(ConfigLoader.load(ConfigLoader.Flags.none(), Map.of()).dataDir())
                .isEqualTo(Path.of("data").toAbsolutePath());
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsThePropertiesFile() throws Exception {
        Files.writeString(dataDir.resolve("threefold.properties"), """
                http.port = 1001
                sftp.port = 1002
                bind = 10.0.0.1
                database.url = jdbc:postgresql://file/db
                database.user = file-user
                """);
        Map<String, String> env = Map.of("THREEFOLD_SFTP_PORT", "2002", "THREEFOLD_BIND", "10.0.0.2",
                "THREEFOLD_DATABASE_PASSWORD", "env-password");

        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, "10.0.0.3", null, null), env);

        assertThat(config.bindAddress()).isEqualTo("10.0.0.3");
        assertThat(config.sftpPort()).isEqualTo(2002);
        assertThat(config.httpPort()).isEqualTo(1001);
        assertThat(config.externalDatabase()).contains(
                new Config.ExternalDatabase("jdbc:postgresql://file/db", "file-user", "env-password"));
        assertThat(config.externalDatabase().orElseThrow().toString()).doesNotContain("env-password");
    }

    @Test
    void badValuesAreRefusedNamingWhereTheyCameFrom() throws Exception {
        Files.writeString(dataDir.resolve("threefold.properties"), "http.port = many\n");

        assertThatThrownBy(() -> ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null), Map.of()))
                .isInstanceOf(CommandRefusedException.class)
                .hasMessage("Invalid port 'many' in threefold.properties key http.port: use a number from 0 to 65535.");
        assertThatThrownBy(() -> ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, 1, null),
                Map.of("THREEFOLD_DATABASE_URL", "mysql://nope")))
                .isInstanceOf(CommandRefusedException.class)
                .hasMessageContaining("must be a PostgreSQL JDBC URL");
    }
}
