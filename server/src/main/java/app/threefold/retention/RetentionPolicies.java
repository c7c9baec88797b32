package app.threefold.retention;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The catalog's {@code retention_policies}, and the only class that reads or writes it: the policy
 * an admin set for a device or local source (by its snapshots' hostname), and the one for every
 * deleted device ({@link #ARCHIVED}). A subject with no row follows the default.
 */
final class RetentionPolicies {

    /** The subject of the policy all deleted devices share; '*' is in no device's or source's name. */
    static final String ARCHIVED = "*archived";

    private final Jdbi jdbi;

    RetentionPolicies(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi);
    }

    Optional<KeepPolicy> find(String subject) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM retention_policies WHERE subject = :s")
                .bind("s", subject)
                .map((rs, ctx) -> new KeepPolicy(rs.getInt("keep_last"), rs.getInt("keep_hourly"), rs.getInt("keep_daily"),
                        rs.getInt("keep_weekly"), rs.getInt("keep_monthly"), rs.getInt("keep_yearly"),
                        Span.parse(rs.getString("keep_within"))))
                .findOne());
    }

    void put(String subject, KeepPolicy p, Instant when, String actor) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO retention_policies (subject, keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly,
                                                        keep_yearly, keep_within, changed, actor)
                        VALUES (:s, :l, :h, :d, :w, :m, :y, :within, :t, :a)
                        ON CONFLICT (subject) DO UPDATE SET keep_last = :l, keep_hourly = :h, keep_daily = :d, keep_weekly = :w,
                            keep_monthly = :m, keep_yearly = :y, keep_within = :within, changed = :t, actor = :a""")
                .bind("s", subject).bind("l", p.last()).bind("h", p.hourly()).bind("d", p.daily()).bind("w", p.weekly())
                .bind("m", p.monthly()).bind("y", p.yearly()).bind("within", p.within().toString())
                .bind("t", when).bind("a", actor).execute());
    }

    void remove(String subject) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM retention_policies WHERE subject = :s").bind("s", subject).execute());
    }
}
