package app.threefold.device;

import java.time.Instant;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * The catalog's {@code archived_devices}: devices an admin deleted, whose snapshots stay in the
 * repository. Only {@link Devices} changes it, within its own transactions; anyone may ask.
 */
public final class ArchivedDevices {

    private final Jdbi jdbi;

    public ArchivedDevices(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi);
    }

    /** Whether {@code name} is a deleted device's. */
    public boolean contains(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM archived_devices WHERE name = :n)")
                .bind("n", name).mapTo(Boolean.class).one());
    }

    /** The names of every deleted device. */
    public Set<String> names() {
        return new HashSet<>(jdbi.withHandle(h -> h.createQuery("SELECT name FROM archived_devices")
                .mapTo(String.class).list()));
    }

    void archive(String name, Instant when, String actor) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO archived_devices (name, archived, actor) VALUES (:n, :t, :a)
                        ON CONFLICT (name) DO UPDATE SET archived = :t, actor = :a""")
                .bind("n", name).bind("t", when).bind("a", actor).execute());
    }

    /** Forgets that {@code name} was deleted: a device of that name continues its history. */
    void forget(String name) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM archived_devices WHERE name = :n").bind("n", name).execute());
    }
}
