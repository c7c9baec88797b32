package app.threefold.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.ThreefoldException.Kind;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each kind of failure has one HTTP status, whichever exception carries it. */
class ApiErrorsTest {

    @Test
    void eachKindHasItsStatus() {
        Map<Kind, Integer> statuses = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            statuses.put(kind, ApiErrors.statusOf(kind));
        }

        assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of(
                Kind.BAD_REQUEST, 400,
                Kind.NOT_FOUND, 404,
                Kind.CONFLICT, 409,
                Kind.REFUSED, 422,
                Kind.UNAVAILABLE, 503,
                Kind.DAMAGED, 500,
                Kind.INTERNAL, 500));
    }
}
