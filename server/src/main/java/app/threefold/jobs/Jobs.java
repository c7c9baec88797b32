package app.threefold.jobs;

import app.threefold.jobs.Job.State;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs long work in the background and keeps its state: queued, running (with progress),
 * succeeded or failed with a result. Jobs run one at a time per {@link Lane}: work that writes
 * the repository (backups) apart from work that only reads it (restores, restore tests), so a
 * person's restore never waits behind a scheduled backup of a large share. States and results
 * live in the catalog's {@code jobs} table; progress is kept in memory and pushed to listeners
 * (the web's SSE streams). Jobs that were running when the appliance stopped are marked failed
 * at the next start.
 */
public final class Jobs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Jobs.class);
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    /** The work of one job: reports progress, returns the result recorded with the job. */
    @FunctionalInterface
    public interface Work {
        Map<String, Object> run(ProgressSink progress) throws Exception;
    }

    /** Which queue a job waits in. */
    public enum Lane {
        /** Backups: one at a time, so two never store the same new data twice. */
        WRITES,
        /** Restores and restore tests: they read snapshots already written. */
        READS
    }

    /** Where a job reports how far it is. */
    public interface ProgressSink {
        /** A step without amounts ("counting what to restore"): {@code fraction} 0..1 and a short line for people. */
        void report(double fraction, String message);

        /**
         * {@code done} of {@code total} bytes or files so far, e.g. (111 MB, 322 MB, BYTES, "restored"):
         * the panel writes it in human units with an estimate of the time left.
         */
        void report(long done, long total, Job.Amount.Unit unit, String verb);
    }

    /** Before this much of the work and time, an estimate of the time left would only be noise. */
    private static final double MIN_FRACTION_FOR_ESTIMATE = 0.01;
    private static final Duration MIN_ELAPSED_FOR_ESTIMATE = Duration.ofSeconds(2);

    private final Jdbi jdbi;
    private final Clock clock;
    private final Map<Lane, ExecutorService> lanes = new java.util.EnumMap<>(Lane.class);
    private final Map<Long, Job> live = new ConcurrentHashMap<>();
    private final Map<Long, List<Consumer<Job>>> listeners = new ConcurrentHashMap<>();

    public Jobs(Jdbi jdbi, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.clock = Objects.requireNonNull(clock);
        for (Lane lane : Lane.values()) {
            lanes.put(lane, Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "jobs-" + lane.name().toLowerCase(java.util.Locale.ROOT));
                t.setDaemon(true);
                // A backup's reading and chunking run here: background work, like the store workers it feeds.
                t.setPriority(lane == Lane.WRITES ? Thread.MIN_PRIORITY : Thread.NORM_PRIORITY);
                return t;
            }));
        }
        int orphans = jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE jobs SET state = 'failed', finished = :now,
                               error = 'the appliance stopped while this job ran; start it again'
                        WHERE state IN ('queued', 'running')""")
                .bind("now", utc(clock.instant())).execute());
        if (orphans > 0) {
            log.warn("{} jobs were cut off by the last stop and are marked failed", orphans);
        }
    }

    /** Queues {@code work} that only reads the repository; the returned job is queued (or already running). */
    public Job submit(String kind, String device, String copy, String actor, Work work) {
        return submit(Lane.READS, kind, device, copy, actor, work);
    }

    /** Queues {@code work} in {@code lane}; the returned job is queued (or already running). */
    public Job submit(Lane lane, String kind, String device, String copy, String actor, Work work) {
        Instant now = clock.instant();
        long id = jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO jobs (kind, device, copy, actor, state, created)
                        VALUES (:kind, :device, :copy, :actor, 'queued', :created)""")
                .bind("kind", kind).bind("device", device).bind("copy", copy).bind("actor", actor)
                .bind("created", utc(now))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        Job job = new Job(id, kind, device, copy, actor, State.QUEUED, 0, "waiting for other jobs", null, null, null,
                now, null, null);
        live.put(id, job);
        lanes.get(lane).execute(() -> run(job, work));
        return job;
    }

    private void run(Job queued, Work work) {
        Instant started = clock.instant();
        update(queued.with(State.RUNNING, 0, "starting", null, null, started, null));
        jdbi.useHandle(h -> h.createUpdate("UPDATE jobs SET state = 'running', started = :t WHERE id = :id")
                .bind("t", utc(started)).bind("id", queued.id()).execute());
        Job ended;
        try {
            Map<String, Object> result = work.run(new ProgressSink() {
                @Override
                public void report(double fraction, String message) {
                    Job current = live.get(queued.id());
                    update(current.with(State.RUNNING, Math.max(0, Math.min(1, fraction)), message, null, null,
                            started, null));
                }

                @Override
                public void report(long done, long total, Job.Amount.Unit unit, String verb) {
                    double fraction = total <= 0 ? 0 : Math.max(0, Math.min(1, (double) done / total));
                    Job current = live.get(queued.id());
                    // The plain line stays for the API's "message"; the panel writes the amount in human units.
                    String message = done + " of " + total + (unit == Job.Amount.Unit.BYTES ? " bytes " : " files ") + verb;
                    update(current.with(State.RUNNING, fraction, message,
                            new Job.Amount(done, total, unit, verb, left(started, fraction)), null, null, started, null));
                }
            });
            ended = queued.with(State.SUCCEEDED, 1, "done", result, null, started, clock.instant());
        } catch (Exception | Error e) {
            if (e instanceof app.threefold.ThreefoldException) {
                // Refused or failed for a reason the message spells out: a stack trace would only bury it.
                log.warn("Job {} ({} of {}) failed: {}", queued.id(), queued.kind(), queued.device(), e.getMessage());
            } else {
                log.error("Job {} ({} of {}) failed", queued.id(), queued.kind(), queued.device(), e);
            }
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            ended = queued.with(State.FAILED, live.get(queued.id()).progress(), "failed", null, error, started,
                    clock.instant());
        }
        Job finished = ended;
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE jobs SET state = :state, finished = :t, result = CAST(:result AS jsonb), error = :error
                        WHERE id = :id""")
                .bind("state", finished.state().label()).bind("t", utc(finished.finished()))
                .bind("result", finished.result() == null ? null : toJson(finished.result()))
                .bind("error", finished.error()).bind("id", finished.id()).execute());
        update(finished);
        live.remove(finished.id());
        listeners.remove(finished.id());
    }

    /** The time left at the pace since {@code started}; null while too little is done to tell. */
    private Duration left(Instant started, double fraction) {
        Duration elapsed = Duration.between(started, clock.instant());
        if (fraction < MIN_FRACTION_FOR_ESTIMATE || elapsed.compareTo(MIN_ELAPSED_FOR_ESTIMATE) < 0) {
            return null;
        }
        return Duration.ofMillis((long) (elapsed.toMillis() * (1 - fraction) / fraction));
    }

    private void update(Job job) {
        live.put(job.id(), job);
        for (Consumer<Job> listener : listeners.getOrDefault(job.id(), List.of())) {
            try {
                listener.accept(job);
            } catch (RuntimeException e) {
                log.warn("A listener of job {} failed; it is dropped", job.id(), e);
                listeners.getOrDefault(job.id(), new CopyOnWriteArrayList<>()).remove(listener);
            }
        }
    }

    /**
     * Calls {@code listener} with the job now and on every change until it ends. Returns what
     * unsubscribes it. A job that has ended is reported once.
     */
    public AutoCloseable listen(long id, Consumer<Job> listener) {
        List<Consumer<Job>> list = listeners.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
        list.add(listener);
        Job now = find(id).orElseThrow(() -> new JobNotFoundException(id));
        listener.accept(now);
        if (now.done()) {
            list.remove(listener);
        }
        return () -> list.remove(listener);
    }

    /** The job, live if it is queued or running, from the catalog otherwise. */
    public Optional<Job> find(JobId id) {
        return find(id.value());
    }

    /** The job, live if it is queued or running, from the catalog otherwise. */
    public Optional<Job> find(long id) {
        Job running = live.get(id);
        if (running != null) {
            return Optional.of(running);
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM jobs WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /** The most recent jobs of a kind, newest first; {@code device} null for every device. */
    public List<Job> history(String kind, String device, int limit) {
        List<Job> jobs = jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM jobs WHERE kind = :kind AND (CAST(:device AS text) IS NULL OR device = :device)
                        ORDER BY id DESC LIMIT :limit""")
                .bind("kind", kind).bind("device", device).bind("limit", limit)
                .map((rs, ctx) -> map(rs)).list());
        return jobs.stream().map(j -> live.getOrDefault(j.id(), j)).toList();
    }

    /** The latest finished job of a kind per device and copy. */
    public List<Job> latestFinished(String kind) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT DISTINCT ON (device, copy) * FROM jobs
                        WHERE kind = :kind AND state IN ('succeeded', 'failed')
                        ORDER BY device, copy, id DESC""")
                .bind("kind", kind).map((rs, ctx) -> map(rs)).list());
    }

    private Job map(ResultSet rs) throws SQLException {
        String result = rs.getString("result");
        State state = State.of(rs.getString("state"));
        return new Job(rs.getLong("id"), rs.getString("kind"), rs.getString("device"), rs.getString("copy"),
                rs.getString("actor"), state, state == State.SUCCEEDED ? 1 : 0, state.label(), null,
                result == null ? null : fromJson(result), rs.getString("error"), instant(rs.getTimestamp("created")),
                instant(rs.getTimestamp("started")), instant(rs.getTimestamp("finished")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static String toJson(Map<String, Object> result) {
        try {
            return JSON.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a job result is not JSON-serialisable: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> fromJson(String json) {
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the jobs table holds malformed JSON: " + e.getMessage(), e);
        }
    }

    /** Stops taking jobs; a running job is interrupted. */
    @Override
    public void close() throws InterruptedException {
        lanes.values().forEach(ExecutorService::shutdownNow);
        for (ExecutorService lane : lanes.values()) {
            lane.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
