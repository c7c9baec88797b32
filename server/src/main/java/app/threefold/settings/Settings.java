package app.threefold.settings;

import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The catalog's {@code settings}: the appliance's own choices as text by key (e.g. whether the
 * admin confirmed saving the recovery kit), read and written here only.
 */
public final class Settings {

    private final Jdbi jdbi;

    public Settings(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi);
    }

    /** The value stored under {@code key}, if any. */
    public Optional<String> get(String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT value FROM settings WHERE key = :k")
                .bind("k", key).mapTo(String.class).findOne());
    }

    /** Stores {@code value} under {@code key}, replacing what was there. */
    public void put(String key, String value) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO settings (key, value) VALUES (:k, :v)
                        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value""")
                .bind("k", key).bind("v", value).execute());
    }
}
