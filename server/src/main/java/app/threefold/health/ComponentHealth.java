package app.threefold.health;

import java.util.Objects;

/** The state of one part of the appliance, e.g. {@code database: up}. */
public record ComponentHealth(String component, State state) {

    public ComponentHealth {
        Objects.requireNonNull(component);
        Objects.requireNonNull(state);
    }

    /** {@code MISSING} means "not set up yet" (no repository before init), which is not a failure. */
    public enum State {
        UP, MISSING, DOWN;

        /** The lower-case name used in JSON. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
