package app.threefold.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The appliance's activity log in the catalog's {@code audit_log}: who did what and when
 * (logins, backups, restores, restore tests, failures). Rows are only ever appended, all through
 * {@link #append}, which escapes control characters in the actor and in every text of the detail
 * ({@link OneLine}): names typed by strangers (an SSH user name) must not forge entries.
 */
public final class AuditLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final Jdbi jdbi;
    private final Clock clock;

    public AuditLog(Jdbi jdbi, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Appends one entry; {@code detail} values must be JSON-serialisable. */
    public void record(String actor, String action, Map<String, ?> detail) {
        jdbi.useHandle(h -> append(h, clock.instant(), actor, action, detail));
    }

    /** Appends one entry within the caller's transaction: for owners of other tables that audit what they change. */
    public static void append(Handle h, Instant time, String actor, String action, Map<String, ?> detail) {
        String json = toJson(escaped(detail == null ? Map.of() : detail));
        h.createUpdate("INSERT INTO audit_log (time, actor, action, detail) VALUES (:t, :a, :action, CAST(:d AS jsonb))")
                .bind("t", OffsetDateTime.ofInstant(time, ZoneOffset.UTC))
                .bind("a", OneLine.escape(actor)).bind("action", action).bind("d", json).execute();
    }

    private static Object escaped(Object value) {
        if (value instanceof String s) {
            return OneLine.escape(s);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(OneLine.escape(String.valueOf(k)), escaped(v)));
            return out;
        }
        if (value instanceof Collection<?> list) {
            return list.stream().map(AuditLog::escaped).toList();
        }
        return value;
    }

    /**
     * Newest first. {@code action} matches an action or an action prefix ending in '.'
     * ("login." matches login.ok and login.failed); {@code text} is a case-insensitive substring of
     * the actor or the detail; null or blank filters match everything.
     */
    public List<AuditEntry> search(String action, String text, int limit) {
        String a = action == null || action.isBlank() ? null : action.trim();
        String t = text == null || text.isBlank() ? null : "%" + escapeLike(text.trim().toLowerCase()) + "%";
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, time, actor, action, detail::text AS detail FROM audit_log
                        WHERE (CAST(:a AS text) IS NULL OR action = :a
                               OR (right(:a, 1) = '.' AND starts_with(action, :a)))
                          AND (CAST(:t AS text) IS NULL OR lower(actor) LIKE :t OR lower(detail::text) LIKE :t)
                        ORDER BY id DESC LIMIT :limit""")
                .bind("a", a).bind("t", t).bind("limit", Math.max(1, Math.min(limit, 1000)))
                .map((rs, ctx) -> new AuditEntry(rs.getLong("id"), rs.getTimestamp("time").toInstant(),
                        rs.getString("actor"), rs.getString("action"), fromJson(rs.getString("detail"))))
                .list());
    }

    /**
     * A device's SFTP sessions that went wrong, newest first, at most five: commits that failed
     * after {@code failedAfter} (null: ever; the device's latest snapshot, as a failed commit is
     * replayed at the next start) and every session set aside in the last 30 days.
     */
    public List<AuditEntry> sessionProblems(String device, Instant failedAfter) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, time, actor, action, detail::text AS detail FROM audit_log
                        WHERE actor = :device
                          AND ((action = 'sftp.session.failed'
                                AND time > COALESCE(CAST(:after AS timestamptz), '-infinity'))
                            OR (action = 'sftp.session.quarantined' AND time > now() - interval '30 days'))
                        ORDER BY id DESC LIMIT 5""")
                .bind("device", device)
                .bind("after", failedAfter == null ? null : OffsetDateTime.ofInstant(failedAfter, ZoneOffset.UTC))
                .map((rs, ctx) -> new AuditEntry(rs.getLong("id"), rs.getTimestamp("time").toInstant(),
                        rs.getString("actor"), rs.getString("action"), fromJson(rs.getString("detail"))))
                .list());
    }

    /** The distinct actions recorded so far, for a filter menu. */
    public List<String> actions() {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT action FROM audit_log ORDER BY action")
                .mapTo(String.class).list());
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static String toJson(Object detail) {
        try {
            return JSON.writeValueAsString(detail);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit detail is not JSON-serialisable: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> fromJson(String json) {
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit_log holds malformed JSON: " + e.getMessage(), e);
        }
    }
}
