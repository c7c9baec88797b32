package app.threefold.proof;

import app.threefold.ThreefoldException;
import app.threefold.audit.AuditLog;
import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.LocalBackend;
import app.threefold.check.Checker;
import app.threefold.check.LostPacks;
import app.threefold.check.Scrub;
import app.threefold.engine.Engine;
import app.threefold.format.Id;
import app.threefold.index.MemoryIndex;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.mirror.Target;
import app.threefold.mirror.TargetId;
import app.threefold.mirror.Targets;
import app.threefold.mirror.Throttle;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.repository.RepositoryLock;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Scrubs of the copies, as jobs: every pack of a copy read and every blob verified
 * ({@link Scrub}); on the NAS's own repository a damaged or missing pack is repaired from a copy
 * that holds a good one; what no copy had is named file by file and snapshot by snapshot. A remote
 * copy is read at most at its target's bandwidth limit, or {@link #DEFAULT_REMOTE_LIMIT} for a
 * bucket without one, so a scrub never fills its link. Owns the table {@code scrubs}.
 */
public final class Scrubs {

    public static final String KIND = "scrub";
    /** How often each copy is scrubbed. */
    public static final Duration INTERVAL = Duration.ofDays(30);
    /** A bucket's scrub without a bandwidth limit of its own reads at most this fast (8 MiB/s: 1 TB in 36 hours). */
    public static final long DEFAULT_REMOTE_LIMIT = 8L << 20;
    /** How long dropping lost packs waits for running backups, as a scheduled prune does. */
    static final Duration DROP_PATIENCE = Duration.ofMinutes(30);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbi jdbi;
    private final Jobs jobs;
    private final Supplier<Optional<Engine>> engine;
    private final Targets targets;
    private final AuditLog audit;
    private final Clock clock;

    public Scrubs(Jdbi jdbi, Jobs jobs, Supplier<Optional<Engine>> engine, Targets targets, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.jobs = jobs;
        this.engine = engine;
        this.targets = targets;
        this.audit = audit;
        this.clock = clock;
    }

    /** One scrub's outcome. {@code error}: it could not run to the end (the copy was unreachable). */
    public record Outcome(long id, String copy, String copyName, Instant started, Instant finished, long packs,
                          long bytes, double seconds, List<Map<String, Object>> damaged,
                          List<Map<String, Object>> repaired, List<Map<String, Object>> unrepaired,
                          List<Map<String, Object>> affected, String error, Long job, String actor) {

        /** "clean", "repaired" (all damage mended), "damaged" (some stays), or "error". */
        public String verdict() {
            return error != null ? "error" : !unrepaired.isEmpty() ? "damaged" : !repaired.isEmpty() ? "repaired" : "clean";
        }
    }

    /**
     * Queues a scrub of {@code copy}: {@value RestoreProofs#LOCAL} or a target's id or name.
     *
     * @throws UnknownCopyException if there is no such copy
     */
    public Job start(String copy, String actor) {
        String id = resolve(copy);
        engine();
        audit.record(actor, "scrub.started", Map.of("copy", id));
        // The work waits for its own job id (known once submit returns) to keep it with the outcome.
        java.util.concurrent.CompletableFuture<Long> jobId = new java.util.concurrent.CompletableFuture<>();
        // Jobs name what they work on in "device": a scrub's is the copy's name, as a sync's is its target's.
        Job job = jobs.submit(KIND, copyName(id), id, actor, progress -> toMap(run(id, actor, jobId.join(), progress)));
        jobId.complete(job.id());
        return job;
    }

    /** Scrubs {@code copy} in the calling thread (the CLI); the outcome is kept as a job's is. */
    public Outcome runNow(String copy, String actor, Jobs.ProgressSink progress) throws IOException {
        return run(resolve(copy), actor, null, progress);
    }

    private String copyName(String copy) {
        return RestoreProofs.LOCAL.equals(copy) ? "this NAS" : targets.get(TargetId.parse(copy)).name();
    }

    /** "local", or the id of the target {@code copy} names by id or name. */
    public String resolve(String copy) {
        if (RestoreProofs.LOCAL.equals(copy)) {
            return copy;
        }
        for (Target t : targets.list()) {
            if (t.name().equals(copy) || t.id().toString().equals(copy)) {
                return t.id().toString();
            }
        }
        throw new UnknownCopyException(copy);
    }

    private Outcome run(String copy, String actor, Long job, Jobs.ProgressSink progress) throws IOException {
        Engine e = engine();
        Instant started = clock.instant();
        String name = copyName(copy);
        try {
            Outcome outcome = scrub(e, copy, name, actor, job, started, progress);
            audit.record(actor, "scrub." + outcome.verdict(), Map.of("copy", copy, "packs", outcome.packs(),
                    "damaged", outcome.damaged().size(), "repaired", outcome.repaired().size()));
            return outcome;
        } catch (IOException | RuntimeException failure) {
            record(new Outcome(0, copy, name, started, clock.instant(), 0, 0, 0, List.of(), List.of(), List.of(),
                    List.of(), String.valueOf(failure.getMessage()), job, actor));
            audit.record(actor, "scrub.error", Map.of("copy", copy, "error", String.valueOf(failure.getMessage())));
            throw failure;
        }
    }

    private Outcome scrub(Engine e, String copy, String name, String actor, Long job, Instant started,
                          Jobs.ProgressSink progress)
            throws IOException {
        boolean local = RestoreProofs.LOCAL.equals(copy);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Repository repository;
            Scrub.Pace pace;
            if (local) {
                repository = e.repository();
                pace = Scrub.Pace.NONE;
                // Shared, as a backup holds it: a prune (exclusive) waits instead of deleting packs under the
                // reading, which would read as damage. Released before repairing, which takes it exclusively.
                opened.add(RepositoryLock.acquire(repository, false, clock));
            } else {
                Target target = targets.get(TargetId.parse(copy));
                if (targets.activeJob(target.id()).isPresent()) {
                    throw new CopySyncingException(target.name());
                }
                progress.report(0, "connecting to " + target.name());
                Backend backend = targets.open(target.id());
                opened.add(backend);
                repository = e.repository().openCopy(backend, new MemoryIndex());
                pace = pace(target);
            }
            Scrub scrub = new Scrub(repository, pace, clock);
            Scrub.Report report = scrub.run(p -> progress.report(p.bytes(), p.totalBytes(), Job.Amount.Unit.BYTES,
                    "read and checked"));
            if (local) {
                closeAll(opened);
            }
            List<Map<String, Object>> damaged = new ArrayList<>();
            List<Map<String, Object>> repaired = new ArrayList<>();
            List<Map<String, Object>> unrepaired = new ArrayList<>();
            Set<Id> badBlobs = new HashSet<>();
            List<Scrub.Source> sources = null;
            for (Scrub.DamagedPack d : report.damaged()) {
                Optional<Scrub.Repaired> fixed = Optional.empty();
                List<String> attempts = new ArrayList<>();
                if (local && repository.backend() instanceof LocalBackend disk) {
                    if (sources == null) {
                        sources = sources(e, opened, attempts);
                    }
                    progress.report(1, "repairing pack " + d.pack().shortHex());
                    fixed = scrub.repair(disk, d, sources, attempts);
                }
                if (fixed.isPresent() && fixed.get().unneeded()) {
                    continue; // a prune removed it after the scrub read it: no damage
                }
                damaged.add(Map.of("pack", d.pack().hex(), "reason", d.reason()));
                if (fixed.isPresent()) {
                    repaired.add(Map.of("pack", d.pack().hex(), "from", fixed.get().from()));
                } else {
                    unrepaired.add(Map.of("pack", d.pack().hex(), "reason", d.reason(), "attempts", List.copyOf(attempts)));
                    badBlobs.addAll(d.lost());
                }
            }
            List<Map<String, Object>> affected = new ArrayList<>();
            if (!badBlobs.isEmpty()) {
                progress.report(1, "finding the files the damage affects");
                for (Checker.Affected a : new Checker(repository, e.workers()).affectedBy(badBlobs)) {
                    affected.add(Map.of("snapshot", a.snapshot().hex(), "device", a.hostname(), "path", a.path(),
                            "reason", a.reason()));
                }
            }
            if (!unrepaired.isEmpty()) {
                Set<Id> lost = new HashSet<>();
                unrepaired.forEach(u -> lost.add(Id.parse((String) u.get("pack"))));
                if (local) {
                    // Else every later backup dedups against the lost data, and backing up again mends nothing.
                    progress.report(1, "dropping the damaged packs from the index");
                    LostPacks.drop(repository, lost, clock, DROP_PATIENCE);
                } else {
                    // The NAS's own pack, if good, is sent again by the next sync.
                    targets.removeDamaged(TargetId.parse(copy), repository.backend(),
                            lost.stream().map(p -> new Handle(FileType.PACK, p.hex())).toList());
                }
            }
            Instant finished = clock.instant();
            Outcome outcome = new Outcome(0, copy, name, started, finished, report.packs(), report.bytes(),
                    Duration.between(started, finished).toMillis() / 1000.0, damaged, repaired, unrepaired, affected,
                    null, job, actor);
            return record(outcome);
        } finally {
            closeAll(opened);
        }
    }

    private static void closeAll(List<AutoCloseable> opened) {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception closeFailed) {
                // Connections to copies that were only read, or the scrub's shared lock (its file expires).
                org.slf4j.LoggerFactory.getLogger(Scrubs.class).warn("closing a copy or lock after a scrub failed", closeFailed);
            }
        }
        opened.clear();
    }

    /** The copies a damaged pack of the NAS may come from: every target that synced at least once. */
    private List<Scrub.Source> sources(Engine e, List<AutoCloseable> opened, List<String> attempts) {
        List<Scrub.Source> sources = new ArrayList<>();
        for (Target t : targets.list()) {
            if (t.lastGoodSync() == null) {
                continue;
            }
            try {
                Backend backend = targets.open(t.id());
                opened.add(backend);
                Repository copy = e.repository().openCopy(backend, new MemoryIndex());
                sources.add(new Scrub.Source(t.name(), copy, pace(t)));
            } catch (IOException | ThreefoldException failure) {
                attempts.add(t.name() + ": " + failure.getMessage());
            }
        }
        return sources;
    }

    private static Scrub.Pace pace(Target target) {
        Throttle throttle = throttle(target);
        return throttle::take;
    }

    private static Throttle throttle(Target target) {
        if (target.bandwidthLimit() > 0) {
            return new Throttle(target.bandwidthLimit());
        }
        return target.kind() == Target.Kind.S3 ? new Throttle(DEFAULT_REMOTE_LIMIT) : new Throttle(0);
    }

    private Engine engine() {
        return engine.get().orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.UNAVAILABLE,
                "The appliance has no repository yet; finish the setup wizard first."));
    }

    // ---- the record -------------------------------------------------------------------------

    private Outcome record(Outcome o) {
        long id = jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO scrubs (copy, copy_name, started, finished, packs, bytes, seconds, damaged, repaired,
                               unrepaired, affected, error, job_id, actor)
                        VALUES (:copy, :name, :started, :finished, :packs, :bytes, :seconds, CAST(:damaged AS jsonb),
                               CAST(:repaired AS jsonb), CAST(:unrepaired AS jsonb), CAST(:affected AS jsonb), :error,
                               :job, :actor)""")
                .bind("copy", o.copy()).bind("name", o.copyName()).bind("started", RestoreTestLog.utc(o.started()))
                .bind("finished", RestoreTestLog.utc(o.finished())).bind("packs", o.packs()).bind("bytes", o.bytes())
                .bind("seconds", o.seconds()).bind("damaged", json(o.damaged())).bind("repaired", json(o.repaired()))
                .bind("unrepaired", json(o.unrepaired())).bind("affected", json(o.affected()))
                .bind("error", o.error()).bind("job", o.job()).bind("actor", o.actor())
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new Outcome(id, o.copy(), o.copyName(), o.started(), o.finished(), o.packs(), o.bytes(), o.seconds(),
                o.damaged(), o.repaired(), o.unrepaired(), o.affected(), o.error(), o.job(), o.actor());
    }

    /** The latest scrub of each copy. */
    public List<Outcome> latest() {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT ON (copy) * FROM scrubs ORDER BY copy, finished DESC, id DESC")
                .map((rs, ctx) -> map(rs)).list());
    }

    /** When {@code copy} was last scrubbed; empty if never. */
    public Optional<Instant> lastRun(String copy) {
        return latest().stream().filter(o -> o.copy().equals(copy)).findFirst().map(Outcome::finished);
    }

    /**
     * The latest completed scrub of each copy where it found damage, repaired or not: what an alert about
     * "damage found" reports ({@link Outcome#unrepaired()} non-empty: damage nobody could repair).
     */
    public List<Outcome> damageFound() {
        // A scrub that broke off saw nothing go: the last one that read the copy to the end still stands.
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT ON (copy) * FROM scrubs WHERE error IS NULL"
                        + " ORDER BY copy, finished DESC, id DESC")
                .map((rs, ctx) -> map(rs)).list()).stream().filter(o -> !o.damaged().isEmpty()).toList();
    }

    private static Outcome map(java.sql.ResultSet rs) throws java.sql.SQLException {
        long job = rs.getLong("job_id");
        Long jobId = rs.wasNull() ? null : job;
        return new Outcome(rs.getLong("id"), rs.getString("copy"), rs.getString("copy_name"),
                rs.getObject("started", OffsetDateTime.class).toInstant(),
                rs.getObject("finished", OffsetDateTime.class).toInstant(), rs.getLong("packs"), rs.getLong("bytes"),
                rs.getDouble("seconds"), list(rs.getString("damaged")), list(rs.getString("repaired")),
                list(rs.getString("unrepaired")), list(rs.getString("affected")), rs.getString("error"), jobId,
                rs.getString("actor"));
    }

    static Map<String, Object> toMap(Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verdict", o.verdict());
        m.put("copy", o.copy());
        m.put("copyName", o.copyName());
        m.put("packs", o.packs());
        m.put("bytes", o.bytes());
        m.put("seconds", o.seconds());
        m.put("damaged", o.damaged());
        m.put("repaired", o.repaired());
        m.put("unrepaired", o.unrepaired());
        m.put("affected", o.affected());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(String json) {
        try {
            return JSON.readValue(json, List.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a scrubs column is not a JSON list: " + e.getMessage(), e);
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + " as JSON", e);
        }
    }
}
