package app.threefold.sources;

import app.threefold.ThreefoldException;
import app.threefold.audit.AuditLog;
import app.threefold.device.ArchivedDevices;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.ingest.IngestSession;
import app.threefold.ingest.IngestStats;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.repository.RepositoryException;
import app.threefold.sources.LocalSource.LastRun;
import app.threefold.sources.LocalSource.Status;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folders on the NAS itself that the appliance snapshots: adding, changing and removing them,
 * and running their backups as jobs ({@link #runNow} for people, {@link SourceScheduler} on
 * schedule). A backup goes through the same folder path as {@code threefold backup}; its outcome
 * is kept with the source and in the audit log. A source is never backed up twice at once: while
 * a run is queued or running, asking again returns that run.
 */
public final class LocalSources {

    private static final Logger log = LoggerFactory.getLogger(LocalSources.class);
    /** The job kind of a local source's backup. */
    public static final String KIND = "backup";
    /** The actor of scheduled runs in jobs and the audit log. */
    public static final String SCHEDULER = "scheduler";
    /** A result lists at most this many left-out entries; the log has them all. */
    private static final int MAX_PROBLEMS = 20;
    private static final long STARTING = -1;

    private final Jdbi jdbi;
    private final ArchivedDevices archivedDevices;
    private final Jobs jobs;
    private final Supplier<Optional<Engine>> engine;
    private final AuditLog audit;
    private final Path dataDir;
    private final Clock clock;
    private final ZoneId zone;
    /** Source name to the job that is backing it up (queued or running). */
    private final Map<String, Long> active = new ConcurrentHashMap<>();

    /**
     * @param dataDir the appliance's data directory, which no source may overlap
     * @param zone    the zone of daily run times (the appliance's)
     */
    public LocalSources(Jdbi jdbi, Jobs jobs, Supplier<Optional<Engine>> engine, AuditLog audit, Path dataDir, Clock clock,
                        ZoneId zone) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.archivedDevices = new ArchivedDevices(jdbi);
        this.jobs = Objects.requireNonNull(jobs);
        this.engine = Objects.requireNonNull(engine);
        this.audit = Objects.requireNonNull(audit);
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock);
        this.zone = Objects.requireNonNull(zone);
        int cutOff = jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE local_sources SET last_status = 'failed', last_finished = :now,
                               last_error = 'the appliance stopped during this run; it runs again at the next scheduled time'
                        WHERE last_status = 'running'""")
                .bind("now", utc(clock.instant())).execute());
        if (cutOff > 0) {
            log.warn("{} local source backups were cut off by the last stop and are marked failed", cutOff);
        }
    }

    /** The zone daily run times are in. */
    public ZoneId zone() {
        return zone;
    }

    /** Every source, by name. */
    public List<LocalSource> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM local_sources ORDER BY name")
                .map((rs, ctx) -> map(rs)).list());
    }

    public Optional<LocalSource> find(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM local_sources WHERE name = :n").bind("n", name)
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /** The job backing the source up now (queued or running), if any. */
    public Optional<Long> activeJob(String name) {
        Long id = active.get(name);
        return id == null || id == STARTING ? Optional.empty() : Optional.of(id);
    }

    /**
     * Adds an enabled source.
     *
     * @throws InvalidSourceException for a bad or taken name, a folder that cannot be backed up,
     *                                or one overlapping the data directory; nothing is changed then
     */
    public LocalSource add(String name, String folder, Schedule schedule, String actor) {
        checkName(name);
        Path path = checkFolder(folder);
        Objects.requireNonNull(schedule, "schedule");
        // An SFTP device's name is refused by the catalog's trigger at the insert below (V6).
        if (find(name).isPresent()) {
            throw new InvalidSourceException("A local source named '" + name + "' already exists; choose another name.");
        }
        if (archivedDevices.contains(name)) {
            throw new InvalidSourceException("'" + name + "' is a deleted device whose snapshots are kept. A source of that"
                    + " name would continue its history (and count all its files as removed): choose another name, e.g. "
                    + name + "-share.");
        }
        try {
            jdbi.useTransaction(h -> {
                Update insert = h.createUpdate("""
                        INSERT INTO local_sources (name, path, daily_at, every_hours, created)
                        VALUES (:name, :path, :daily, :hours, :created)""")
                        .bind("name", name).bind("path", path.toString()).bind("created", utc(clock.instant()));
                bindSchedule(insert, schedule).execute();
            });
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof PSQLException p && PSQLState.UNIQUE_VIOLATION.getState().equals(p.getSQLState())) {
                // The name-space trigger raises without a constraint; the unique name has one.
                if (p.getServerErrorMessage() != null && p.getServerErrorMessage().getConstraint() == null) {
                    throw new InvalidSourceException("An SFTP device is named '" + name + "'. A source's name becomes its"
                            + " snapshots' hostname, so it needs a name of its own, e.g. " + name + "-share.");
                }
                throw new InvalidSourceException("The name '" + name + "' was just taken by another local source;"
                        + " choose another name.");
            }
            throw e;
        }
        audit.record(actor, "source.added", Map.of("source", name, "path", path.toString(), "schedule", schedule.describe()));
        return find(name).orElseThrow();
    }

    /**
     * Changes a source's folder, schedule and whether it runs on schedule. The name stays: it is
     * the hostname of the snapshots already taken.
     *
     * @throws InvalidSourceException   if the folder cannot be backed up; nothing is changed then
     * @throws SourceNotFoundException  if there is no such source
     */
    public LocalSource change(String name, String folder, Schedule schedule, boolean enabled, String actor) {
        Path path = checkFolder(folder);
        Objects.requireNonNull(schedule, "schedule");
        int n = jdbi.withHandle(h -> bindSchedule(h.createUpdate("""
                        UPDATE local_sources SET path = :path, daily_at = :daily, every_hours = :hours, enabled = :enabled
                        WHERE name = :name"""), schedule)
                .bind("path", path.toString()).bind("enabled", enabled).bind("name", name).execute());
        if (n == 0) {
            throw new SourceNotFoundException(name);
        }
        audit.record(actor, "source.changed", Map.of("source", name, "path", path.toString(),
                "schedule", schedule.describe(), "enabled", enabled));
        return find(name).orElseThrow();
    }

    /**
     * Removes a source from the schedule. Its snapshots stay in the repository, browsable under
     * its name, until retention removes them.
     *
     * @throws SourceBusyException     while it is being backed up
     * @throws SourceNotFoundException if there is no such source
     */
    public void remove(String name, String actor) {
        synchronized (active) {
            if (active.containsKey(name)) {
                throw new SourceBusyException(name);
            }
            LocalSource source = find(name).orElseThrow(() -> new SourceNotFoundException(name));
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM local_sources WHERE name = :n").bind("n", name).execute());
            audit.record(actor, "source.removed", Map.of("source", name, "path", source.path().toString()));
        }
    }

    /**
     * Queues a backup of the source now, whether or not it is enabled; if one is queued or
     * running already, returns that one instead.
     *
     * @throws SourceNotFoundException if there is no such source
     * @throws RepositoryException     if the appliance has no repository yet
     */
    public Job runNow(String name, String actor) {
        LocalSource source = find(name).orElseThrow(() -> new SourceNotFoundException(name));
        return start(source, actor);
    }

    /** The enabled sources whose next run is due at {@code now} and that are not running. */
    List<LocalSource> due(Instant now) {
        return list().stream().filter(s -> !active.containsKey(s.name()))
                .filter(s -> s.nextRun(zone).map(next -> !next.isAfter(now)).orElse(false)).toList();
    }

    boolean ready() {
        return engine.get().isPresent();
    }

    Job start(LocalSource source, String actor) {
        Engine e = engine.get().orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, 
                "The appliance has no repository yet; finish the setup wizard first."));
        String name = source.name();
        synchronized (active) {
            Long running = active.get(name);
            if (running != null) {
                return jobs.find(running).orElseThrow();
            }
            // The job may start (and even end) before submit returns; it learns its id from here.
            CompletableFuture<Long> id = new CompletableFuture<>();
            active.put(name, STARTING);
            Job job;
            try {
                audit.record(actor, "source.backup.started", Map.of("source", name, "path", source.path().toString()));
                job = jobs.submit(Jobs.Lane.WRITES, KIND, name, "local", actor, progress -> run(e, name, actor, id.join(), progress));
            } catch (RuntimeException failed) {
                active.remove(name);
                throw failed;
            }
            active.replace(name, STARTING, job.id());
            id.complete(job.id());
            return job;
        }
    }

    private Map<String, Object> run(Engine e, String name, String actor, long job, Jobs.ProgressSink progress)
            throws Exception {
        try {
            LocalSource source = find(name).orElseThrow(() -> new SourceNotFoundException(name));
            Instant started = clock.instant();
            jdbi.useHandle(h -> h.createUpdate("""
                            UPDATE local_sources SET last_started = :t, last_finished = NULL, last_status = 'running',
                                   last_snapshot = NULL, last_error = NULL, last_job = :job
                            WHERE name = :n""")
                    .bind("t", utc(started)).bind("job", job).bind("n", name).execute());
            try {
                Map<String, Object> result = backup(e, source, progress);
                Status status = ((List<?>) result.get("problems")).isEmpty() ? Status.SUCCEEDED : Status.INCOMPLETE;
                String error = status == Status.SUCCEEDED ? null
                        : result.get("leftOut") + " entries could not be read and are missing from the snapshot, e.g. "
                        + ((List<?>) result.get("problems")).getFirst();
                finish(name, status, (String) result.get("snapshot"), error);
                audit.record(actor, "source.backup." + status.label(), Map.of("source", name,
                        "snapshot", result.get("snapshot"), "files", result.get("files"), "leftOut", result.get("leftOut")));
                return result;
            } catch (Exception | Error failed) {
                String error = failed.getMessage() == null ? failed.getClass().getSimpleName() : failed.getMessage();
                finish(name, Status.FAILED, null, error);
                audit.record(actor, "source.backup.failed", Map.of("source", name, "error", error));
                throw failed;
            }
        } finally {
            active.remove(name);
        }
    }

    private Map<String, Object> backup(Engine e, LocalSource source, Jobs.ProgressSink progress) throws IOException {
        Path folder = source.path();
        if (!Files.isDirectory(folder)) {
            throw new IOException("The folder " + folder + " is not there (is its disk or share mounted?); mount it or"
                    + " change the source's folder.");
        }
        // Again at each run: a link or mount changed since it was added may now lead into the data directory.
        checkFolder(folder.toString());
        progress.report(0, "counting the files in " + folder);
        long[] total = count(folder);
        IngestSession.Result r = e.backupFolder(source.name(), folder, (files, bytes) -> {
            if (total[1] > 0) {
                progress.report(bytes, total[1], Job.Amount.Unit.BYTES, "read");
            } else {
                progress.report(files, total[0], Job.Amount.Unit.FILES, "read");
            }
        });
        IngestStats st = r.stats();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("snapshot", r.snapshot().id().hex());
        result.put("files", st.files());
        result.put("bytes", st.bytesTotal());
        result.put("bytesAdded", st.bytesAdded());
        result.put("filesNew", st.filesNew());
        result.put("filesChanged", st.filesChanged());
        result.put("filesUnchanged", st.filesUnchanged());
        result.put("leftOut", r.problems().size());
        result.put("problems", r.problems().stream().limit(MAX_PROBLEMS).toList());
        result.put("seconds", st.duration().toMillis() / 1000.0);
        return result;
    }

    /** Regular files and their bytes under {@code folder}, for the progress bar; links are not followed. */
    private static long[] count(Path folder) throws IOException {
        long[] total = new long[2];
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total[0]++;
                    total[1] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // The backup itself reports what it cannot read; the count is only an estimate.
                return FileVisitResult.CONTINUE;
            }
        });
        return total;
    }

    private void finish(String name, Status status, String snapshot, String error) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE local_sources SET last_finished = :t, last_status = :status,
                               last_snapshot = :snapshot, last_error = :error
                        WHERE name = :n""")
                .bind("t", utc(clock.instant())).bind("status", status.label())
                .bind("snapshot", snapshot == null ? null : HexFormat.of().parseHex(snapshot))
                .bind("error", error).bind("n", name).execute());
    }

    private static void checkName(String name) {
        if (!Devices.validName(name)) {
            throw new InvalidSourceException("Invalid source name '" + name + "': use 1 to 64 letters, digits, '.', '_' or"
                    + " '-', starting with a letter or digit (e.g. photo-share). It becomes the snapshots' hostname.");
        }
    }

    /** The folder as it will be stored: absolute, normalised, a readable folder outside the data directory. */
    Path checkFolder(String folder) {
        Path path;
        try {
            path = folder == null || folder.isBlank() ? null : Path.of(folder.trim());
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path == null || !path.isAbsolute()) {
            throw new InvalidSourceException("Give the folder as an absolute path on the NAS, e.g. /srv/photos.");
        }
        path = path.normalize();
        if (!Files.exists(path)) {
            throw new InvalidSourceException("There is no folder " + path + " on the NAS; check the path, and that its disk"
                    + " or share is mounted.");
        }
        if (!Files.isDirectory(path)) {
            throw new InvalidSourceException(path + " is a file; give the folder that holds what to back up.");
        }
        if (!Files.isReadable(path) || !Files.isExecutable(path)) {
            throw new InvalidSourceException("The appliance may not read " + path + "; give the user it runs as read"
                    + " access (chmod or an ACL), or choose another folder.");
        }
        Path real;
        Path data;
        try {
            real = path.toRealPath();
            data = Files.exists(dataDir) ? dataDir.toRealPath() : dataDir;
        } catch (IOException e) {
            throw new InvalidSourceException("The appliance cannot resolve " + path + " (" + e.getMessage() + "); check the"
                    + " path and its permissions.");
        }
        // Either way round the repository would end up storing itself.
        if (real.startsWith(data)) {
            throw new InvalidSourceException(path + " is inside the appliance's data directory " + data + ", which holds the"
                    + " repository itself; choose a folder outside it.");
        }
        if (data.startsWith(real)) {
            throw new InvalidSourceException(path + " contains the appliance's data directory " + data + ", so the"
                    + " repository would back itself up; choose a folder that does not contain it, e.g. a subfolder.");
        }
        return path;
    }

    private static Update bindSchedule(Update update, Schedule schedule) {
        return switch (schedule) {
            case Schedule.Daily d -> update.bind("daily", d.at()).bindNull("hours", java.sql.Types.INTEGER);
            case Schedule.EveryHours e -> update.bindNull("daily", java.sql.Types.TIME).bind("hours", e.hours());
        };
    }

    private static LocalSource map(ResultSet rs) throws SQLException {
        LocalTime daily = rs.getObject("daily_at", LocalTime.class);
        Schedule schedule = daily != null ? new Schedule.Daily(daily) : new Schedule.EveryHours(rs.getInt("every_hours"));
        LastRun last = null;
        if (rs.getTimestamp("last_started") != null) {
            byte[] snapshot = rs.getBytes("last_snapshot");
            last = new LastRun(instant(rs.getTimestamp("last_started")), instant(rs.getTimestamp("last_finished")),
                    Status.of(rs.getString("last_status")), snapshot == null ? null : HexFormat.of().formatHex(snapshot),
                    rs.getString("last_error"), rs.getLong("last_job"));
        }
        return new LocalSource(rs.getString("name"), Path.of(rs.getString("path")), schedule, rs.getBoolean("enabled"),
                instant(rs.getTimestamp("created")), last);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
