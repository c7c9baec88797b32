package app.threefold.audit;

import java.time.Instant;
import java.util.Map;

/** One row of the activity log. */
public record AuditEntry(long id, Instant time, String actor, String action, Map<String, Object> detail) {

    public AuditEntry {
        detail = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(detail));
    }
}
