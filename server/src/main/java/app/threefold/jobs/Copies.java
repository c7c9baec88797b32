package app.threefold.jobs;

import app.threefold.backend.Backend;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * The copies of the repository besides the NAS's own, by the id the API uses for them (a mirror
 * target's id): what a restore test can be pointed at. The mirror's targets provide it, e.g.
 * {@code id -> targets.find(id).map(t -> new Copy(t.name(), () -> targets.open(t.id())))}.
 */
@FunctionalInterface
public interface Copies {

    /** No copies besides the NAS's own repository. */
    Copies NONE = id -> Optional.empty();

    /** The copy with this id, or empty if none has it. Finding one does not connect to it yet. */
    Optional<Copy> find(String id);

    /** Connects to a copy's storage. */
    @FunctionalInterface
    interface Connector {
        /**
         * A backend on the copy; the caller closes it.
         *
         * @throws IOException if the copy cannot be reached or refuses access (an unmounted disk, a revoked key)
         */
        Backend connect() throws IOException;
    }

    /** One copy: its name for people and how to reach it. */
    record Copy(String name, Connector connector) {
        public Copy {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(connector, "connector");
        }
    }
}
