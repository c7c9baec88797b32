package app.threefold.alert;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One thing the appliance watches for (a failed restore test, a silent device, a copy behind, a
 * full disk...). {@link Alerts} asks every condition periodically; each finding opens an incident
 * keyed by the condition's id and the finding's subject, and an incident whose finding is gone
 * clears. A check answers what is wrong now; it keeps no state and sends nothing itself.
 */
public interface Condition {

    /** Stable id, part of every incident's key and of webhooks' JSON ("device-silent"). */
    String id();

    /**
     * What is wrong at {@code now}, one finding per subject. A check that cannot tell (its data is
     * unavailable) throws: its open incidents then stay open rather than clearing by mistake.
     */
    List<Finding> check(Instant now);

    /** A condition from a function: how a check owned by another package is wired, in one line. */
    static Condition of(String id, Function<Instant, List<Finding>> check) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(check, "check");
        return new Condition() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public List<Finding> check(Instant now) {
                return check.apply(now);
            }
        };
    }
}
