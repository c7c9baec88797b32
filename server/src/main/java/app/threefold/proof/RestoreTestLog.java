package app.threefold.proof;

import app.threefold.format.Id;
import app.threefold.jobs.RestoreProofs;
import app.threefold.jobs.TestRecords;
import app.threefold.verify.RestoreProof;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Every restore test's outcome, kept in the catalog (when, which copy, which snapshot, files and
 * bytes checked, how long, how fast, what failed), each device's rhythm (how often, in full or
 * within a byte budget) and which packs sampled tests have read so far. Owns the tables
 * {@code restore_test_results}, {@code restore_test_settings} and {@code restore_test_packs}.
 */
public final class RestoreTestLog implements TestRecords {

    /** How often a device is tested on each copy unless set otherwise. */
    public static final int DEFAULT_INTERVAL_DAYS = 30;
    /** Without a passing test for this long a copy shows amber: a monthly test was missed. */
    public static final Duration AMBER_AFTER = Duration.ofDays(35);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbi jdbi;
    private final Clock clock;
    private final Function<String, String> copyNames;

    /** {@code copyNames}: a copy's id ({@value RestoreProofs#LOCAL} or a target id) → its name for people. */
    public RestoreTestLog(Jdbi jdbi, Clock clock, Function<String, String> copyNames) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.copyNames = copyNames;
    }

    /** How often a device is tested, and how much each test reads (0 bytes: everything). */
    public record Rhythm(int intervalDays, long budgetBytes) {
        public static final Rhythm DEFAULT = new Rhythm(DEFAULT_INTERVAL_DAYS, 0);

        public Rhythm {
            if (intervalDays < 1 || intervalDays > 365) {
                throw new InvalidRhythmException("a restore test interval is 1 to 365 days, not " + intervalDays);
            }
            if (budgetBytes < 0) {
                throw new InvalidRhythmException("a byte budget is 0 (test everything) or more, not " + budgetBytes);
            }
        }

        public Duration interval() {
            return Duration.ofDays(intervalDays);
        }
    }

    /** One kept outcome. {@code error}: the test could not run at all (the copy was unreachable). */
    public record Result(long id, String device, String copy, String copyName, Instant started, Instant finished,
                         boolean passed, String snapshot, boolean sampled, long files, long bytes, double seconds,
                         List<Map<String, String>> failures, String error, Long job, String actor) {

        /** Bytes per second read and checked; 0 when too short to tell. */
        public double throughput() {
            return seconds <= 0 ? 0 : bytes / seconds;
        }
    }

    /** Where a device stands on one copy, as the dashboard shows it. */
    public record Standing(String device, String copy, String copyName, Result latest, Instant lastPassed, Level level) {

        public enum Level { GOOD, AMBER, RED }

        /** "restore verified 3 days ago", "never verified", with the failure when there is one. */
        public String text(Instant now) {
            String verified = lastPassed == null ? "restore never verified"
                    : "restore verified " + daysAgo(lastPassed, now);
            if (level == Level.RED) {
                return verified + "; the latest test " + (latest.error() != null ? "could not run" : "failed") + " "
                        + daysAgo(latest.finished(), now);
            }
            return verified;
        }

        private static String daysAgo(Instant then, Instant now) {
            long days = Duration.between(then, now).toDays();
            return days <= 0 ? "today" : days == 1 ? "1 day ago" : days + " days ago";
        }
    }

    // ---- rhythm -----------------------------------------------------------------------------

    public Rhythm rhythm(String device) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT interval_days, budget_bytes FROM restore_test_settings WHERE device = :device")
                .bind("device", device).map((rs, ctx) -> new Rhythm(rs.getInt(1), rs.getLong(2))).findOne())
                .orElse(Rhythm.DEFAULT);
    }

    public void setRhythm(String device, Rhythm rhythm) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO restore_test_settings (device, interval_days, budget_bytes)
                        VALUES (:device, :days, :budget)
                        ON CONFLICT (device) DO UPDATE SET interval_days = EXCLUDED.interval_days,
                                                           budget_bytes = EXCLUDED.budget_bytes""")
                .bind("device", device).bind("days", rhythm.intervalDays()).bind("budget", rhythm.budgetBytes())
                .execute());
    }

    // ---- TestRecords ------------------------------------------------------------------------

    @Override
    public RestoreProof.Sample sample(String device, String copy) {
        Rhythm rhythm = rhythm(device);
        if (rhythm.budgetBytes() == 0) {
            return RestoreProof.Sample.FULL;
        }
        Set<Id> read = new HashSet<>(jdbi.withHandle(h -> h.createQuery(
                        "SELECT pack FROM restore_test_packs WHERE device = :device AND copy = :copy")
                .bind("device", device).bind("copy", copy).map((rs, ctx) -> Id.parse(rs.getString(1))).list()));
        return new RestoreProof.Sample(rhythm.budgetBytes(), read, new SplittableRandom(clock.millis() ^ device.hashCode()));
    }

    @Override
    public void packsRead(String device, String copy, Set<Id> packs, boolean newRound) {
        jdbi.useTransaction(h -> {
            if (newRound) {
                h.createUpdate("DELETE FROM restore_test_packs WHERE device = :device AND copy = :copy")
                        .bind("device", device).bind("copy", copy).execute();
            }
            PreparedBatch batch = h.prepareBatch("""
                    INSERT INTO restore_test_packs (device, copy, pack) VALUES (:device, :copy, :pack)
                    ON CONFLICT DO NOTHING""");
            packs.forEach(p -> batch.bind("device", device).bind("copy", copy).bind("pack", p.hex()).add());
            if (!packs.isEmpty()) {
                batch.execute();
            }
        });
    }

    @Override
    public void ended(Outcome outcome) {
        Map<String, Object> r = outcome.result() == null ? Map.of() : outcome.result();
        boolean passed = outcome.error() == null && "passed".equals(r.get("verdict"));
        String copyName = r.get("copyName") instanceof String name ? name : copyNames.apply(outcome.copy());
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO restore_test_results (device, copy, copy_name, started, finished, passed, snapshot,
                               sampled, files, bytes, seconds, failures, error, job_id, actor)
                        VALUES (:device, :copy, :copyName, :started, :finished, :passed, :snapshot, :sampled, :files,
                               :bytes, :seconds, CAST(:failures AS jsonb), :error, :job, :actor)
                        ON CONFLICT (job_id) DO NOTHING""")
                .bind("device", outcome.device()).bind("copy", outcome.copy()).bind("copyName", copyName)
                .bind("started", utc(outcome.started())).bind("finished", utc(outcome.finished())).bind("passed", passed)
                .bind("snapshot", (String) r.get("snapshot"))
                .bind("sampled", Boolean.TRUE.equals(r.get("sampled")))
                .bind("files", number(r.get("files"))).bind("bytes", number(r.get("bytes")))
                .bind("seconds", r.get("seconds") instanceof Number n ? n.doubleValue()
                        : Duration.between(outcome.started(), outcome.finished()).toMillis() / 1000.0)
                .bind("failures", json(r.getOrDefault("failures", List.of())))
                .bind("error", outcome.error()).bind("job", outcome.job()).bind("actor", outcome.actor()).execute());
    }

    // ---- reading ----------------------------------------------------------------------------

    /** The latest outcomes of {@code device}'s tests on {@code copy}, newest first. */
    public List<Result> history(String device, String copy, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM restore_test_results WHERE device = :device AND copy = :copy
                        ORDER BY finished DESC, id DESC LIMIT :limit""")
                .bind("device", device).bind("copy", copy).bind("limit", limit).map((rs, ctx) -> map(rs)).list());
    }

    /** When {@code device} was last tested on {@code copy}, passed or not; empty if never. */
    public Optional<Instant> lastRun(String device, String copy) {
        return history(device, copy, 1).stream().findFirst().map(Result::finished);
    }

    /** Where each device stands on each copy it was tested on, by device then copy id. */
    public List<Standing> standings() {
        Instant now = clock.instant();
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT DISTINCT ON (device, copy) r.*,
                               (SELECT max(p.finished) FROM restore_test_results p
                                WHERE p.device = r.device AND p.copy = r.copy AND p.passed) AS last_passed
                        FROM restore_test_results r ORDER BY device, copy, finished DESC, id DESC""")
                .map((rs, ctx) -> {
                    Result latest = map(rs);
                    OffsetDateTime lp = rs.getObject("last_passed", OffsetDateTime.class);
                    Instant lastPassed = lp == null ? null : lp.toInstant();
                    Standing.Level level = !latest.passed() ? Standing.Level.RED
                            : lastPassed == null || Duration.between(lastPassed, now).compareTo(AMBER_AFTER) > 0
                            ? Standing.Level.AMBER : Standing.Level.GOOD;
                    return new Standing(latest.device(), latest.copy(), copyNames.apply(latest.copy()), latest,
                            lastPassed, level);
                }).list());
    }

    /** The latest test of each device on each copy, where it failed: what an alert about failed restore tests reports. */
    public List<Result> failedTests() {
        return standings().stream().filter(s -> s.level() == Standing.Level.RED).map(Standing::latest).toList();
    }

    private static Result map(java.sql.ResultSet rs) throws java.sql.SQLException {
        long job = rs.getLong("job_id");
        Long jobId = rs.wasNull() ? null : job;
        return new Result(rs.getLong("id"), rs.getString("device"), rs.getString("copy"), rs.getString("copy_name"),
                rs.getObject("started", OffsetDateTime.class).toInstant(),
                rs.getObject("finished", OffsetDateTime.class).toInstant(), rs.getBoolean("passed"),
                rs.getString("snapshot"), rs.getBoolean("sampled"), rs.getLong("files"), rs.getLong("bytes"),
                rs.getDouble("seconds"), failures(rs.getString("failures")), rs.getString("error"), jobId,
                rs.getString("actor"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, String>> failures(String json) {
        try {
            return JSON.readValue(json, List.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("restore_test_results.failures is not a JSON list: " + e.getMessage(), e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + " as JSON", e);
        }
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
