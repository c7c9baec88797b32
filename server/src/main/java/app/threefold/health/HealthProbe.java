package app.threefold.health;

import java.util.List;

/**
 * Reports the state of the appliance's parts (database, repository, …) for {@code /healthz} and
 * the status API. The appliance composes one from each part it wires.
 */
@FunctionalInterface
public interface HealthProbe {

    /** The current state of each part, in a stable order; must not throw. */
    List<ComponentHealth> check();

    /** Whether every part is usable ({@link ComponentHealth.State#DOWN} is the only failing state). */
    static boolean healthy(List<ComponentHealth> components) {
        return components.stream().noneMatch(c -> c.state() == ComponentHealth.State.DOWN);
    }
}
