package app.threefold.appliance;

import app.threefold.catalog.Catalog;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The catalog together with the PostgreSQL it lives in: the embedded one, or an external server. */
final class CatalogDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CatalogDatabase.class);

    private final Catalog catalog;
    private final EmbeddedDatabase embedded;

    private CatalogDatabase(Catalog catalog, EmbeddedDatabase embedded) {
        this.catalog = catalog;
        this.embedded = embedded;
    }

    /** Connects to the external PostgreSQL if configured, else starts the embedded one; migrates the catalog. */
    static CatalogDatabase open(Config config) {
        Optional<Config.ExternalDatabase> external = config.externalDatabase();
        if (external.isPresent()) {
            log.info("Using the external PostgreSQL {}", external.get());
            return new CatalogDatabase(
                    Catalog.open(external.get().jdbcUrl(), external.get().user(), external.get().password()), null);
        }
        EmbeddedDatabase embedded = EmbeddedDatabase.start(config.dataDir());
        try {
            return new CatalogDatabase(Catalog.open(embedded.jdbcUrl(), "postgres", null), embedded);
        } catch (RuntimeException e) {
            embedded.close();
            throw e;
        }
    }

    Catalog catalog() {
        return catalog;
    }

    /** Closes the catalog's connections, then stops the embedded PostgreSQL if there is one. */
    @Override
    public void close() {
        try {
            catalog.close();
            log.info("Catalog connections closed");
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
