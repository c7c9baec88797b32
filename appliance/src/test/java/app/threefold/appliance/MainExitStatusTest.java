package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.ThreefoldException.Kind;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of failure has one exit status: 2 when the command was refused before it ran, 1 otherwise. */
class MainExitStatusTest {

    @Test
    void eachKindHasItsExitStatus() {
        Map<Kind, Integer> statuses = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            statuses.put(kind, Main.exitStatus(kind));
        }

        assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(
                Kind.BAD_REQUEST, 2,
                Kind.CONFLICT, 2,
                Kind.NOT_FOUND, 1,
                Kind.REFUSED, 1,
                Kind.UNAVAILABLE, 1,
                Kind.DAMAGED, 1,
                Kind.INTERNAL, 1));
    }
}
