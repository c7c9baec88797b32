package app.threefold.appliance;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The appliance's configuration, resolved once by {@link ConfigLoader}: flags, then
 * {@code THREEFOLD_*} environment variables, then {@code DIR/threefold.properties}, then defaults.
 *
 * @param dataDir          everything the appliance keeps: repository, catalog database, logs, lock
 * @param bindAddress      address the HTTP and SFTP servers listen on
 * @param httpPort         HTTP port; 0 picks a free one
 * @param sftpPort         SFTP port; 0 picks a free one
 * @param externalDatabase an external PostgreSQL instead of the embedded one, if configured
 */
public record Config(Path dataDir, String bindAddress, int httpPort, int sftpPort,
                     Optional<ExternalDatabase> externalDatabase) {

    public Config {
        Objects.requireNonNull(dataDir);
        Objects.requireNonNull(bindAddress);
        Objects.requireNonNull(externalDatabase);
    }

    /** A PostgreSQL server the operator runs; the appliance only connects to it. */
    public record ExternalDatabase(String jdbcUrl, String user, String password) {

        public ExternalDatabase {
            Objects.requireNonNull(jdbcUrl);
        }

        @Override
        public String toString() {
            return "ExternalDatabase[jdbcUrl=" + jdbcUrl.replaceAll("\\?.*", "") + ", user=" + user + "]";
        }
    }
}
