package app.threefold.appliance;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Builds the one {@link Config}: for each setting the first of command-line flag, environment
 * variable, {@code DIR/threefold.properties} entry and default wins. The data directory itself can
 * only come from the flag, the environment or the default, since the properties file lives in it.
 */
final class ConfigLoader {

    static final String PROPERTIES_FILE = "threefold.properties";

    /** Values given as flags; {@code null} when a flag was not given. */
    record Flags(Path dataDir, String bindAddress, Integer httpPort, Integer sftpPort) {

        static Flags none() {
            return new Flags(null, null, null, null);
        }
    }

    private ConfigLoader() {
    }

    /**
     * @throws CommandRefusedException if a value from the environment or the properties file is
     *                                 invalid, or the properties file cannot be read
     */
    static Config load(Flags flags, Map<String, String> env) {
        Path dataDir = flags.dataDir() != null ? flags.dataDir()
                : Path.of(nonBlank(env.get("THREEFOLD_DATA_DIR")).orElse("data"));
        dataDir = dataDir.toAbsolutePath().normalize();
        Properties file = readProperties(dataDir.resolve(PROPERTIES_FILE));

        String bind = first(flags.bindAddress(), env, "THREEFOLD_BIND", file, "bind").orElse("0.0.0.0");
        int httpPort = port(flags.httpPort(), env, "THREEFOLD_HTTP_PORT", file, "http.port", 8080);
        int sftpPort = port(flags.sftpPort(), env, "THREEFOLD_SFTP_PORT", file, "sftp.port", 2222);
        Optional<Config.ExternalDatabase> database = first(null, env, "THREEFOLD_DATABASE_URL", file, "database.url")
                .map(url -> new Config.ExternalDatabase(url,
                        first(null, env, "THREEFOLD_DATABASE_USER", file, "database.user").orElse(null),
                        first(null, env, "THREEFOLD_DATABASE_PASSWORD", file, "database.password").orElse(null)));
        if (database.isPresent() && !database.get().jdbcUrl().startsWith("jdbc:postgresql:")) {
            throw new CommandRefusedException("THREEFOLD_DATABASE_URL must be a PostgreSQL JDBC URL such as"
                    + " jdbc:postgresql://db.example:5432/threefold, not '" + database.get().jdbcUrl() + "'.");
        }
        return new Config(dataDir, bind, httpPort, sftpPort, database);
    }

    private static int port(Integer flag, Map<String, String> env, String envName, Properties file, String key,
                            int fallback) {
        if (flag != null) {
            return checkedPort(flag, "--" + key.replace('.', '-'));
        }
        Optional<String> fromEnv = nonBlank(env.get(envName));
        String source = fromEnv.isPresent() ? envName : PROPERTIES_FILE + " key " + key;
        Optional<String> value = fromEnv.or(() -> nonBlank(file.getProperty(key)));
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return checkedPort(Integer.parseInt(value.get().trim()), source);
        } catch (NumberFormatException e) {
            throw new CommandRefusedException("Invalid port '" + value.get() + "' in " + source
                    + ": use a number from 0 to 65535.", e);
        }
    }

    private static int checkedPort(int port, String source) {
        if (port < 0 || port > 65535) {
            throw new CommandRefusedException("Invalid port " + port + " in " + source
                    + ": use a number from 0 to 65535.");
        }
        return port;
    }

    private static Optional<String> first(String flag, Map<String, String> env, String envName, Properties file,
                                          String key) {
        return nonBlank(flag).or(() -> nonBlank(env.get(envName))).or(() -> nonBlank(file.getProperty(key)));
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static Properties readProperties(Path path) {
        Properties properties = new Properties();
        if (Files.isRegularFile(path)) {
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException | IllegalArgumentException e) {
                throw new CommandRefusedException("Cannot read " + path + " (" + e.getMessage()
                        + "); fix or remove it.", e);
            }
        }
        return properties;
    }
}
