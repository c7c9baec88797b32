package app.threefold.alert;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/** The catalog's {@code alert_incidents}, read and written here only. */
public final class Incidents {

    private final Jdbi jdbi;

    public Incidents(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi);
    }

    /** Open incidents, oldest first. */
    public List<Incident> open() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_incidents WHERE cleared IS NULL ORDER BY opened, id")
                .map((rs, ctx) -> row(rs)).list());
    }

    /** The latest incidents, open or cleared, newest first. */
    public List<Incident> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_incidents ORDER BY opened DESC, id DESC LIMIT :n")
                .bind("n", limit).map((rs, ctx) -> row(rs)).list());
    }

    /** Incidents whose opening or clearing message has not reached a channel yet. */
    List<Incident> undelivered() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM alert_incidents
                        WHERE NOT opened_sent OR (cleared IS NOT NULL AND NOT cleared_sent) ORDER BY id""")
                .map((rs, ctx) -> row(rs)).list());
    }

    /** Opens an incident unless one is open for the same condition and subject (then nothing changes). */
    void open(String condition, Finding f, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO alert_incidents (condition, subject, summary, detail, opened)
                        VALUES (:c, :s, :summary, :detail, :t)
                        ON CONFLICT (condition, subject) WHERE cleared IS NULL DO NOTHING""")
                .bind("c", condition).bind("s", f.subject()).bind("summary", f.summary()).bind("detail", f.detail())
                .bind("t", utc(now)).execute());
    }

    void clear(long id, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE alert_incidents SET cleared = :t WHERE id = :id AND cleared IS NULL")
                .bind("t", utc(now)).bind("id", id).execute());
    }

    void markOpenedSent(long id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE alert_incidents SET opened_sent = true WHERE id = :id").bind("id", id).execute());
    }

    void markClearedSent(long id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE alert_incidents SET opened_sent = true, cleared_sent = true WHERE id = :id")
                .bind("id", id).execute());
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static Incident row(ResultSet rs) throws SQLException {
        Timestamp cleared = rs.getTimestamp("cleared");
        return new Incident(rs.getLong("id"), rs.getString("condition"), rs.getString("subject"), rs.getString("summary"),
                rs.getString("detail"), rs.getTimestamp("opened").toInstant(), cleared == null ? null : cleared.toInstant(),
                rs.getBoolean("opened_sent"), rs.getBoolean("cleared_sent"));
    }
}
