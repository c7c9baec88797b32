package app.threefold.mirror;

import app.threefold.ThreefoldException;
import app.threefold.audit.AuditLog;
import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.LocalBackend;
import app.threefold.backend.NotARepositoryException;
import app.threefold.backend.S3Backend;
import app.threefold.backend.S3Settings;
import app.threefold.backend.SftpBackends;
import app.threefold.backend.SftpSettings;
import app.threefold.jobs.Copies;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.repository.RepositoryException;
import app.threefold.sources.Schedule;
import app.threefold.sources.SourceScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.statement.Update;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's mirror targets (S3 buckets, folders such as a USB disk, SFTP servers such as a
 * friend's Threefold) and their syncs: the one
 * owner of the catalog's {@code targets}, {@code target_objects} and {@code target_syncs}. Adds,
 * changes, removes and tests targets, opens their copies, and runs syncs as jobs (on demand with
 * {@link #sync}, on each target's schedule through {@link #duty()}). Secret keys are stored
 * encrypted ({@link SecretBox}) and only ever shown masked; they appear in no log, audit entry or
 * job result.
 */
public final class Targets {

    private static final Logger log = LoggerFactory.getLogger(Targets.class);
    /** The job kind of a sync. */
    public static final String KIND = "sync";
    /** The actor of scheduled syncs in jobs and the audit log. */
    public static final String SCHEDULER = "scheduler";
    private static final long STARTING = -1;
    private static final int MAX_NAME = 64;

    /**
     * How syncs run.
     *
     * @param parallelism      uploads at once; S3 is latency-bound, so several keep a link busy
     * @param retry            per object, on transient failures
     * @param fullListingEvery how old the last full listing of a target may be before a sync lists
     *                         it again to catch drift (objects deleted there by hand)
     */
    public record Settings(int parallelism, Retry retry, Duration fullListingEvery) {
        public static final Settings DEFAULT = new Settings(4, Retry.DEFAULT, Duration.ofDays(7));
    }

    private final Jdbi jdbi;
    private final Jobs jobs;
    private final Supplier<Optional<Backend>> repository;
    private final AuditLog audit;
    private final SecretBox secrets;
    private final Clock clock;
    private final ZoneId zone;
    private final Settings settings;
    private final CopyReader reader;
    private final SftpBackends sftp;
    /** Target id to the job syncing it (queued or running). */
    private final Map<Long, Long> active = new ConcurrentHashMap<>();
    private final Map<Long, SyncProgress> progress = new ConcurrentHashMap<>();

    /**
     * @param repository the local repository's backend, empty until the appliance has one
     * @param dataDir    where the key for targets' secrets is kept ({@code targets.key}, owner-only)
     * @param zone       the zone of daily sync times (the appliance's)
     * @throws SecretKeyException if the key file is readable by others or not a key
     */
    public Targets(Jdbi jdbi, Jobs jobs, Supplier<Optional<Backend>> repository, AuditLog audit, Path dataDir, Clock clock,
                   ZoneId zone, Settings settings) {
        this(jdbi, jobs, repository, CopyReader.NONE, audit, dataDir, clock, zone, settings, SftpBackends.NONE);
    }

    /**
     * Targets whose syncs also remove from a copy what the local repository no longer holds, once the
     * target's delay has passed: {@code reader} opens a copy with the repository's key, to read the
     * snapshots still on it before any pack goes. (Without it, as with the other constructor, packs
     * and index files gone locally stay on the copies; only snapshot files follow.)
     *
     * @param clock measures each target's delay before removals, from when a sync first saw an object gone
     */
    public Targets(Jdbi jdbi, Jobs jobs, Supplier<Optional<Backend>> repository, CopyReader reader, AuditLog audit,
                   Path dataDir, Clock clock, ZoneId zone, Settings settings) {
        this(jdbi, jobs, repository, reader, audit, dataDir, clock, zone, settings, SftpBackends.NONE);
    }

    /**
     * @param sftp opens SFTP targets (the engine knows no SSH; the appliance hands in its client)
     * @see #Targets(Jdbi, Jobs, Supplier, AuditLog, Path, Clock, ZoneId, Settings)
     */
    public Targets(Jdbi jdbi, Jobs jobs, Supplier<Optional<Backend>> repository, AuditLog audit, Path dataDir, Clock clock,
                   ZoneId zone, Settings settings, SftpBackends sftp) {
        this(jdbi, jobs, repository, CopyReader.NONE, audit, dataDir, clock, zone, settings, sftp);
    }

    /** Targets with both: removals that follow the local repository, and SFTP targets. */
    public Targets(Jdbi jdbi, Jobs jobs, Supplier<Optional<Backend>> repository, CopyReader reader, AuditLog audit,
                   Path dataDir, Clock clock, ZoneId zone, Settings settings, SftpBackends sftp) {
        this.reader = Objects.requireNonNull(reader);
        this.sftp = Objects.requireNonNull(sftp);
        this.jdbi = Objects.requireNonNull(jdbi);
        this.jobs = Objects.requireNonNull(jobs);
        this.repository = Objects.requireNonNull(repository);
        this.audit = Objects.requireNonNull(audit);
        this.secrets = SecretBox.open(dataDir, new SecureRandom());
        this.clock = Objects.requireNonNull(clock);
        this.zone = Objects.requireNonNull(zone);
        this.settings = Objects.requireNonNull(settings);
        int cutOff = jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE target_syncs SET state = 'failed', finished = :now,
                               error = 'the appliance stopped during this sync; the next sync continues where it ended'
                        WHERE state = 'running'""")
                .bind("now", utc(clock.instant())).execute());
        if (cutOff > 0) {
            log.warn("{} syncs were cut off by the last stop and are marked failed", cutOff);
        }
    }

    // ---- the targets ------------------------------------------------------------------------

    /** Every target, by name. */
    public List<Target> list() {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " ORDER BY t.name").map((rs, ctx) -> map(rs)).list());
    }

    public Optional<Target> find(TargetId id) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " WHERE t.id = :id").bind("id", id.value())
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /**
     * The targets as the copies a restore test can read, by the id the API names them with; a
     * restore test of one connects to the target itself, never to the NAS's repository.
     */
    public Copies copies() {
        return id -> find(TargetId.parse(id)).map(t -> new Copies.Copy(t.name(), () -> open(t.id())));
    }

    /** @throws TargetNotFoundException if there is no such target */
    public Target get(TargetId id) {
        return find(id).orElseThrow(() -> notFound(id));
    }

    /**
     * Adds a bucket as a target. Nothing is sent until it syncs; {@link #testConnection} says
     * whether it will work.
     *
     * @param bandwidthLimit bytes per second, 0 for none
     * @throws InvalidTargetException for a bad or taken name or a negative limit
     */
    public Target addS3(String name, S3Settings s3, Schedule schedule, long bandwidthLimit, String actor) {
        Objects.requireNonNull(s3, "s3");
        return add(name, schedule, bandwidthLimit, actor, Map.of("kind", "s3", "location", s3.resticRepository()), u -> u
                .bind("kind", "s3").bind("path", (String) null)
                .bind("endpoint", s3.endpoint().toString()).bind("region", s3.region()).bind("bucket", s3.bucket())
                .bind("prefix", s3.prefix()).bind("access_key", s3.accessKey())
                .bind("secret", secrets.seal(s3.secretKey())).bind("secret_hint", SecretBox.mask(s3.secretKey()))
                .bind("path_style", s3.pathStyle()).bind("checksums", s3.checksums().name()));
    }

    /**
     * Adds a bucket as a target from settings as typed.
     *
     * @throws InvalidTargetException naming the field to correct, or for a bad or taken name or a negative limit
     */
    public Target addS3(String name, BucketSettings typed, Schedule schedule, long bandwidthLimit, String actor) {
        return addS3(name, typed.checked(null), schedule, bandwidthLimit, actor);
    }

    /**
     * Adds a folder (a USB disk's mount point, or a folder on it) as a target.
     *
     * @throws InvalidTargetException for a bad or taken name, a relative path or a negative limit
     */
    public Target addFolder(String name, Path folder, Schedule schedule, long bandwidthLimit, String actor) {
        Path path = checkFolder(folder);
        return add(name, schedule, bandwidthLimit, actor, Map.of("kind", "folder", "location", path.toString()), u -> u
                .bind("kind", "folder").bind("path", path.toString())
                .bind("endpoint", (String) null).bind("region", (String) null).bind("bucket", (String) null)
                .bind("prefix", (String) null).bind("access_key", (String) null).bind("secret", (byte[]) null)
                .bind("secret_hint", (String) null).bind("path_style", (Boolean) null).bind("checksums", (String) null));
    }

    /**
     * Adds an SFTP server as a target: a friend's Threefold ({@code peer}, made by pairing) or any
     * SFTP server. A password, if any, is stored sealed like an S3 secret.
     *
     * @throws InvalidTargetException for a bad or taken name or a negative limit
     */
    public Target addSftp(String name, SftpSettings server, boolean peer, Schedule schedule, long bandwidthLimit,
                          String actor) {
        Objects.requireNonNull(server, "server");
        boolean password = server.password() != null && !server.password().isEmpty();
        return add(name, schedule, bandwidthLimit, actor, Map.of("kind", "sftp", "location", server.display(),
                "peer", peer), u -> u
                .bind("kind", "sftp").bind("path", server.path()).bind("host", server.host()).bind("port", server.port())
                .bind("user_name", server.user()).bind("host_key", server.hostKey())
                .bind("key_file", server.keyFile() == null ? null : server.keyFile().toString()).bind("peer", peer)
                .bind("secret", password ? secrets.seal(server.password()) : null)
                .bind("secret_hint", password ? SecretBox.mask(server.password()) : null));
    }

    /**
     * Adds an SFTP server as a target from settings as typed.
     *
     * @throws InvalidTargetException naming the field to correct, or for a bad or taken name or a negative limit
     */
    public Target addSftp(String name, ServerSettings typed, Schedule schedule, long bandwidthLimit, String actor) {
        return addSftp(name, typed.checked(null), false, schedule, bandwidthLimit, actor);
    }

    /**
     * Points an SFTP target at another server, folder, key or host key (a blank password keeps the
     * stored one); a new place is listed in full at the next sync.
     *
     * @throws TargetNotFoundException if there is no such target
     * @throws InvalidTargetException  naming the field to correct, or if it is not an SFTP target
     */
    public Target changeSftp(TargetId id, ServerSettings typed, String actor) {
        Target target = get(id);
        if (target.kind() != Target.Kind.SFTP) {
            throw new InvalidTargetException("'" + target.name() + "' is not an SFTP target; change its "
                    + (target.kind() == Target.Kind.S3 ? "bucket" : "folder") + " instead");
        }
        boolean keep = typed.keepsPassword();
        SftpSettings server = typed.checked(keep && target.sftp().hasPassword() ? "kept" : null);
        boolean moved = !server.display().equals(target.sftp().display());
        synchronized (active) {
            refuseWhileSyncing(target, "change it");
            jdbi.useTransaction(h -> {
                h.createUpdate("""
                                UPDATE targets SET host = :host, port = :port, user_name = :user, path = :path,
                                       host_key = :host_key, key_file = :key_file,
                                       secret = COALESCE(:secret, secret), secret_hint = COALESCE(:hint, secret_hint)
                                WHERE id = :id""")
                        .bind("host", server.host()).bind("port", server.port()).bind("user", server.user())
                        .bind("path", server.path()).bind("host_key", server.hostKey())
                        .bind("key_file", server.keyFile() == null ? null : server.keyFile().toString())
                        .bind("secret", keep ? null : secrets.seal(server.password()))
                        .bind("hint", keep ? null : SecretBox.mask(server.password())).bind("id", id.value()).execute();
                if (moved) {
                    moved(h, id, clock.instant());
                }
                AuditLog.append(h, clock.instant(), actor, "target.changed", Map.of("target", target.name(),
                        "id", id.value(), "location", server.display(), "hostKey", server.hostKey(),
                        "passwordChanged", !keep));
            });
        }
        return get(id);
    }

    private Target add(String name, Schedule schedule, long bandwidthLimit, String actor, Map<String, Object> detail,
                       Consumer<Update> location) {
        checkName(name);
        checkLimit(bandwidthLimit);
        Objects.requireNonNull(schedule, "schedule");
        long id;
        try {
            id = jdbi.inTransaction(h -> {
                Update insert = h.createUpdate("""
                        INSERT INTO targets (name, kind, path, endpoint, region, bucket, prefix, access_key, secret,
                                             secret_hint, path_style, checksums, daily_at, every_hours, bandwidth_limit, created,
                                             host, port, user_name, host_key, key_file, peer)
                        VALUES (:name, :kind, :path, :endpoint, :region, :bucket, :prefix, :access_key, :secret,
                                :secret_hint, :path_style, :checksums, :daily, :hours, :limit, :created,
                                :host, :port, :user_name, :host_key, :key_file, :peer)""")
                        .bind("name", name).bind("limit", bandwidthLimit).bind("created", utc(clock.instant()))
                        .bind("endpoint", (String) null).bind("region", (String) null).bind("bucket", (String) null)
                        .bind("prefix", (String) null).bind("access_key", (String) null).bind("secret", (byte[]) null)
                        .bind("secret_hint", (String) null).bind("path_style", (Boolean) null)
                        .bind("checksums", (String) null).bind("host", (String) null).bind("port", (Integer) null)
                        .bind("user_name", (String) null).bind("host_key", (String) null).bind("key_file", (String) null)
                        .bind("peer", false);
                location.accept(insert);
                long newId = bindSchedule(insert, schedule).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                Map<String, Object> audited = new LinkedHashMap<>(detail);
                audited.put("target", name);
                audited.put("id", newId);
                AuditLog.append(h, clock.instant(), actor, "target.added", audited);
                return newId;
            });
        } catch (UnableToExecuteStatementException e) {
            throw taken(name, e);
        }
        return get(new TargetId(id));
    }

    /**
     * Renames a target and changes when it syncs and how fast.
     *
     * @throws TargetNotFoundException if there is no such target
     * @throws InvalidTargetException  for a bad or taken name or a negative limit
     */
    public Target change(TargetId id, String name, Schedule schedule, boolean enabled, long bandwidthLimit, String actor) {
        checkName(name);
        checkLimit(bandwidthLimit);
        Objects.requireNonNull(schedule, "schedule");
        try {
            jdbi.useTransaction(h -> {
                int n = bindSchedule(h.createUpdate("""
                                UPDATE targets SET name = :name, daily_at = :daily, every_hours = :hours, enabled = :enabled,
                                       bandwidth_limit = :limit WHERE id = :id"""), schedule)
                        .bind("name", name).bind("enabled", enabled).bind("limit", bandwidthLimit)
                        .bind("id", id.value()).execute();
                if (n == 0) {
                    throw notFound(id);
                }
                AuditLog.append(h, clock.instant(), actor, "target.changed", Map.of("target", name, "id", id.value(),
                        "schedule", schedule.describe(), "enabled", enabled, "bandwidthLimit", bandwidthLimit));
            });
        } catch (UnableToExecuteStatementException e) {
            throw taken(name, e);
        }
        return get(id);
    }

    /**
     * Points an S3 target elsewhere or gives it new credentials; {@code newSecretKey} null or blank
     * keeps the stored one. A new place is listed in full at the next sync.
     *
     * @throws TargetNotFoundException if there is no such target
     * @throws InvalidTargetException  if it is not an S3 target or the settings are not valid
     */
    public Target changeS3(TargetId id, URI endpoint, String region, String bucket, String prefix, String accessKey,
                           String newSecretKey, boolean pathStyle, S3Settings.Checksums checksums, String actor) {
        Target target = get(id);
        if (target.kind() != Target.Kind.S3) {
            throw new InvalidTargetException("'" + target.name() + "' is a folder target; change its folder instead");
        }
        boolean keep = newSecretKey == null || newSecretKey.isBlank();
        S3Settings s3;
        try {
            s3 = new S3Settings(endpoint, region, bucket, prefix, accessKey, keep ? "kept" : newSecretKey, pathStyle,
                    checksums);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidTargetException(e.getMessage());
        }
        boolean moved = !s3.resticRepository().equals(target.s3().resticRepository());
        synchronized (active) {
            refuseWhileSyncing(target, "change it");
            jdbi.useTransaction(h -> {
            Update update = h.createUpdate("""
                    UPDATE targets SET endpoint = :endpoint, region = :region, bucket = :bucket, prefix = :prefix,
                           access_key = :access_key, path_style = :path_style, checksums = :checksums,
                           secret = COALESCE(:secret, secret), secret_hint = COALESCE(:hint, secret_hint)
                    WHERE id = :id""")
                    .bind("endpoint", s3.endpoint().toString()).bind("region", s3.region()).bind("bucket", s3.bucket())
                    .bind("prefix", s3.prefix()).bind("access_key", s3.accessKey()).bind("path_style", s3.pathStyle())
                    .bind("checksums", s3.checksums().name()).bind("id", id.value())
                    .bind("secret", keep ? null : secrets.seal(newSecretKey))
                    .bind("hint", keep ? null : SecretBox.mask(newSecretKey));
            update.execute();
            if (moved) {
                moved(h, id, clock.instant());
            }
            AuditLog.append(h, clock.instant(), actor, "target.changed", Map.of("target", target.name(), "id", id.value(),
                    "location", s3.resticRepository(), "secretChanged", !keep));
            });
        }
        return get(id);
    }

    /**
     * Changes an S3 target to settings as typed (a blank secret keeps the stored one). Settings that
     * name the same bucket, key and addressing as now, with no new secret, change nothing.
     *
     * @throws TargetNotFoundException if there is no such target
     * @throws InvalidTargetException  naming the field to correct, or if it is not an S3 target
     */
    public Target changeS3(TargetId id, BucketSettings typed, String actor) {
        Target target = get(id);
        if (target.kind() != Target.Kind.S3) {
            throw new InvalidTargetException("'" + target.name() + "' is a folder target; change its folder instead");
        }
        S3Settings s3 = typed.checked("kept");
        Target.S3Location now = target.s3();
        if (typed.keepsSecret() && s3.resticRepository().equals(now.resticRepository())
                && s3.accessKey().equals(now.accessKey()) && s3.pathStyle() == now.pathStyle()
                && s3.checksums() == now.checksums()) {
            return target;
        }
        return changeS3(id, s3.endpoint(), s3.region(), s3.bucket(), s3.prefix(), s3.accessKey(),
                typed.keepsSecret() ? null : typed.secretKey(), s3.pathStyle(), s3.checksums(), actor);
    }

    /**
     * Points a folder target at another folder (another disk); it is listed in full at the next sync.
     *
     * @throws TargetNotFoundException if there is no such target
     * @throws InvalidTargetException  if it is not a folder target or the path is not absolute
     */
    public Target changeFolder(TargetId id, Path folder, String actor) {
        Target target = get(id);
        if (target.kind() != Target.Kind.FOLDER) {
            throw new InvalidTargetException("'" + target.name() + "' is not a folder target; change its " + (target.kind() == Target.Kind.S3 ? "bucket" : "server") + " instead");
        }
        Path path = checkFolder(folder);
        synchronized (active) {
            refuseWhileSyncing(target, "change it");
            jdbi.useTransaction(h -> {
                h.createUpdate("UPDATE targets SET path = :path WHERE id = :id").bind("path", path.toString())
                        .bind("id", id.value()).execute();
                if (!path.equals(target.folder())) {
                    moved(h, id, clock.instant());
                }
                AuditLog.append(h, clock.instant(), actor, "target.changed", Map.of("target", target.name(),
                        "id", id.value(), "location", path.toString()));
            });
        }
        return get(id);
    }

    /**
     * Sets how long an object gone from the local repository stays on the target before a sync
     * removes it, counted from the first sync that saw it gone; null: never removes. Zero removes it
     * at that sync, which leaves no time to notice a mistaken forget or a compromised appliance: the
     * panel warns. A shorter delay applies to objects found gone from now on: those already waiting
     * keep the date they had (a longer one pushes theirs back), so lowering the delay, or someone
     * who took over the appliance lowering it, cannot remove at once what the copy was keeping.
     *
     * @throws TargetNotFoundException if there is no such target
     * @throws InvalidTargetException  for a negative delay
     */
    public Target changeDeleteDelay(TargetId id, Duration delay, String actor) {
        if (delay != null && delay.isNegative()) {
            throw new InvalidTargetException("A delay before removing from a copy is a number of days, 0 or more; "
                    + delay + " is not one.");
        }
        Target target = get(id);
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE targets SET delete_delay_seconds = :s WHERE id = :id")
                    .bind("s", delay == null ? null : delay.toSeconds()).bind("id", id.value()).execute();
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("target", target.name());
            detail.put("id", id.value());
            detail.put("deleteDelayDays", days(delay));
            detail.put("previousDeleteDelayDays", days(target.deleteDelay()));
            if (delay != null && (target.deleteDelay() == null || delay.compareTo(target.deleteDelay()) < 0)) {
                detail.put("note", "shorter delay: objects already waiting keep the date they had");
            }
            AuditLog.append(h, clock.instant(), actor, "target.changed", detail);
        });
        if (delay != null && delay.isZero()) {
            log.warn("Target '{}' now removes what the local repository no longer holds at the next sync, without delay",
                    target.name());
        }
        return get(id);
    }

    /** A delay as the audit log and the API give it; "never" for none. */
    private static Object days(Duration delay) {
        return delay == null ? "never" : delay.toSeconds() / 86400.0;
    }

    /**
     * Removes a target from the catalog. The copy itself stays where it is, untouched: removing a
     * target never deletes anything on it.
     *
     * @throws TargetBusyException     while it syncs
     * @throws TargetNotFoundException if there is no such target
     */
    public void remove(TargetId id, String actor) {
        synchronized (active) {
            Target target = get(id);
            refuseWhileSyncing(target, "remove it");
            jdbi.useTransaction(h -> {
                h.createUpdate("DELETE FROM targets WHERE id = :id").bind("id", id.value()).execute();
                AuditLog.append(h, clock.instant(), actor, "target.removed", Map.of("target", target.name(),
                        "id", id.value(), "location", target.location()));
            });
        }
    }

    // ---- the copies -------------------------------------------------------------------------

    /** What {@link #testConnection} found. */
    public record ConnectionCheck(String location, boolean holdsCopy, long objects) {
    }

    /**
     * Connects to the target and lists it, without writing: whether the credentials, bucket or
     * folder work, and whether a copy is there already.
     *
     * @throws TargetException or {@link IOException} subclasses naming what to correct
     */
    public ConnectionCheck testConnection(TargetId id) throws IOException {
        Target target = get(id);
        if (target.kind() == Target.Kind.FOLDER) {
            Path folder = target.folder();
            if (!Files.isRegularFile(folder.resolve(Handle.CONFIG.path()))) {
                if (syncedBefore(id)) {
                    throw notMounted(target);
                }
                if (!Files.isDirectory(folder) && !Files.isDirectory(folder.getParent())) {
                    throw new TargetNotMountedException("neither " + folder + " nor the folder it is in exists; plug in"
                            + " and mount the disk, or correct the folder of target '" + target.name() + "'");
                }
                if (Files.isDirectory(folder)) {
                    probeWritable(target, folder);
                }
                return new ConnectionCheck(folder.toString(), false, 0);
            }
            probeWritable(target, folder);
        }
        if (target.kind() == Target.Kind.SFTP) {
            try (Backend backend = sftp.open(sftpSettings(target))) {
                return listed(target, backend);
            } catch (NotARepositoryException empty) {
                // The server let us in and the folder holds no copy yet: the first sync makes one.
                return new ConnectionCheck(target.location(), false, 0);
            }
        }
        try (Backend backend = connect(target)) {
            return listed(target, backend);
        }
    }

    private static ConnectionCheck listed(Target target, Backend backend) throws IOException {
        long[] count = {0};
        for (FileType type : List.of(FileType.CONFIG, FileType.KEY, FileType.SNAPSHOT, FileType.INDEX)) {
            backend.list(type, info -> count[0]++);
        }
        return new ConnectionCheck(target.location(), backend.exists(Handle.CONFIG), count[0]);
    }

    /**
     * The copy on the target, to read (restore tests, restores from a copy). The caller closes it.
     *
     * @throws TargetNotMountedException if a folder target's disk is not there
     * @throws NotARepositoryException   if the target holds no copy yet
     */
    public Backend open(TargetId id) throws IOException {
        Target target = get(id);
        if (target.kind() == Target.Kind.FOLDER) {
            if (!Files.isRegularFile(target.folder().resolve(Handle.CONFIG.path()))) {
                if (syncedBefore(id)) {
                    throw notMounted(target);
                }
                throw new NotARepositoryException(target.location(), "target '" + target.name()
                        + "' holds no copy yet; sync it first");
            }
            return LocalBackend.open(target.folder());
        }
        if (target.kind() == Target.Kind.SFTP) {
            try {
                return sftp.open(sftpSettings(target));
            } catch (NotARepositoryException e) {
                throw new NotARepositoryException(target.location(), "target '" + target.name()
                        + "' holds no copy there; sync it first");
            }
        }
        return S3Backend.open(s3Settings(target));
    }

    /** The target for a sync: the copy, or a new empty place for one; never a missing disk taken for empty. */
    private Backend openForSync(Target target) throws IOException {
        if (target.kind() == Target.Kind.S3) {
            return openS3(target, () -> forgetEmptied(target));
        }
        if (target.kind() == Target.Kind.SFTP) {
            // A new copy, or a friend's disk that was lost or replaced: everything is sent (again).
            return sftp.openOrCreate(sftpSettings(target), () -> forgetEmptied(target));
        }
        Path folder = target.folder();
        if (Files.isRegularFile(folder.resolve(Handle.CONFIG.path()))) {
            probeWritable(target, folder);
            return LocalBackend.open(folder);
        }
        if (syncedBefore(target.id())) {
            throw notMounted(target);
        }
        if (Files.isDirectory(folder)) {
            try (var entries = Files.list(folder)) {
                if (entries.anyMatch(p -> !p.getFileName().toString().equals("lost+found"))) {
                    throw new InvalidTargetException(folder + " holds other files but no repository; give target '"
                            + target.name() + "' an empty folder (e.g. " + folder.resolve("threefold") + ")");
                }
            }
            probeWritable(target, folder);
        } else if (!Files.isDirectory(folder.getParent())) {
            throw new TargetNotMountedException("neither " + folder + " nor the folder it is in exists; plug in and"
                    + " mount the disk, or correct the folder of target '" + target.name() + "'");
        }
        try {
            return LocalBackend.create(folder);
        } catch (FileSystemException e) {
            throw readOnly(target, e);
        }
    }

    /** An S3 target's bucket, holding the copy or not yet; {@code whenEmpty} runs when it holds none. */
    private Backend openS3(Target target, Runnable whenEmpty) throws IOException {
        try {
            return S3Backend.open(s3Settings(target));
        } catch (NotARepositoryException empty) {
            whenEmpty.run();
            return S3Backend.create(s3Settings(target));
        }
    }

    /** A copy emptied since it was synced (a lifecycle rule, a person): what the catalog says it holds is gone too. */
    private void forgetEmptied(Target target) {
        if (syncedBefore(target.id())) {
            log.warn("target '{}' at {} held a copy and is empty now; sending everything again",
                    target.name(), target.location());
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM target_objects WHERE target_id = :id")
                    .bind("id", target.id().value()).execute());
        }
    }

    private Backend connect(Target target) throws IOException {
        if (target.kind() == Target.Kind.S3) {
            return openS3(target, () -> { });
        }
        return LocalBackend.open(target.folder());
    }

    /** Writes and removes a file, since a read-only mount looks like any folder until written to. */
    private static void probeWritable(Target target, Path folder) {
        Path probe = folder.resolve(".tmp-threefold-probe-" + Long.toHexString(System.nanoTime()));
        try {
            Files.write(probe, new byte[] {1});
            Files.delete(probe);
        } catch (IOException e) {
            throw readOnly(target, e);
        }
    }

    private static TargetException readOnly(Target target, IOException e) {
        String reason = e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.getMessage();
        if (String.valueOf(reason).contains("No space left")) {
            return new TargetFullException(target.folder() + " of target '" + target.name() + "' is full (" + reason
                    + "); free space there or use a larger disk", e);
        }
        if (e instanceof AccessDeniedException || String.valueOf(reason).contains("Read-only")) {
            return new TargetReadOnlyException(target.folder() + " of target '" + target.name() + "' cannot be written ("
                    + reason + "); mount the disk writable or check that it is not write-protected", e);
        }
        throw new UncheckedIOException("cannot write in " + target.folder() + " of target '" + target.name() + "'", e);
    }

    private static TargetNotMountedException notMounted(Target target) {
        return new TargetNotMountedException(target.folder() + " of target '" + target.name() + "' holds no copy, but"
                + " one was synced there before: the disk is probably not plugged in or not mounted. Mount it and sync"
                + " again; if the copy was removed on purpose, remove the target and add it again");
    }

    /** An SFTP target's server with its password unsealed, if it has one. */
    private SftpSettings sftpSettings(Target target) {
        Target.SftpLocation server = target.sftp();
        String password = null;
        if (server.hasPassword()) {
            byte[] sealed = jdbi.withHandle(h -> h.createQuery("SELECT secret FROM targets WHERE id = :id")
                    .bind("id", target.id().value()).mapTo(byte[].class).one());
            password = secrets.open(sealed, target.name());
        }
        return new SftpSettings(server.user(), server.host(), server.port(), server.path(), server.hostKey(),
                server.keyFile(), password);
    }

    private S3Settings s3Settings(Target target) {
        byte[] sealed = jdbi.withHandle(h -> h.createQuery("SELECT secret FROM targets WHERE id = :id")
                .bind("id", target.id().value()).mapTo(byte[].class).one());
        Target.S3Location s3 = target.s3();
        return new S3Settings(s3.endpoint(), s3.region(), s3.bucket(), s3.prefix(), s3.accessKey(),
                secrets.open(sealed, target.name()), s3.pathStyle(), s3.checksums());
    }

    // ---- syncs ------------------------------------------------------------------------------

    /**
     * Queues a sync of the target now; if one is queued or running already, returns that one.
     * Syncs run in the jobs' write lane: after a backup, and never ahead of a person's restore.
     *
     * @param fullListing list the target in full first, to catch objects deleted there by hand
     * @throws TargetNotFoundException if there is no such target
     * @throws RepositoryException     if the appliance has no repository yet
     */
    public Job sync(TargetId id, boolean fullListing, String actor) {
        Target target = get(id);
        if (repository.get().isEmpty()) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "The appliance has no repository yet; finish the setup wizard first.");
        }
        synchronized (active) {
            Long running = active.get(id.value());
            if (running != null && running != STARTING) {
                return jobs.find(running).orElseThrow();
            }
            CompletableFuture<Long> jobId = new CompletableFuture<>();
            active.put(id.value(), STARTING);
            Job job;
            try {
                job = jobs.submit(Jobs.Lane.WRITES, KIND, target.name(), id.toString(), actor, sink -> {
                    try {
                        SyncResult result = syncNow(id, fullListing, actor, jobId.join(), p -> sink.report(p.bytesDone(),
                                p.bytesTotal(), Job.Amount.Unit.BYTES, "sent (" + p.objectsDone() + " of "
                                        + p.objectsTotal() + " objects)"));
                        return result.toMap();
                    } finally {
                        active.remove(id.value());
                    }
                });
            } catch (RuntimeException failed) {
                active.remove(id.value());
                throw failed;
            }
            active.replace(id.value(), STARTING, job.id());
            jobId.complete(job.id());
            return job;
        }
    }

    /** How far the running sync of the target is, if one runs. */
    public Optional<SyncProgress> progress(TargetId id) {
        return Optional.ofNullable(progress.get(id.value()));
    }

    /** The job syncing the target now (queued or running), if any. */
    public Optional<Long> activeJob(TargetId id) {
        Long job = active.get(id.value());
        return job == null || job == STARTING ? Optional.empty() : Optional.of(job);
    }

    /**
     * Syncs the target in the calling thread and records the outcome; what {@link #sync}'s job runs.
     *
     * @param job the job this runs in, or null
     */
    public SyncResult syncNow(TargetId id, boolean fullListing, String actor, Long job, Consumer<SyncProgress> listener)
            throws IOException {
        Target target = get(id);
        Backend local = repository.get().orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.UNAVAILABLE,
                "The appliance has no repository yet; finish the setup wizard first."));
        Instant lastFull = jdbi.withHandle(h -> h.createQuery("SELECT last_full_listing FROM targets WHERE id = :id")
                .bind("id", id.value()).map((rs, ctx) -> instant(rs.getTimestamp(1))).one());
        boolean full = fullListing || lastFull == null
                || lastFull.plus(settings.fullListingEvery()).isBefore(clock.instant());
        Instant started = clock.instant();
        long run = jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO target_syncs (target_id, job, started, state, full_listing)
                        VALUES (:t, :job, :started, 'running', :full)""")
                .bind("t", id.value()).bind("job", job).bind("started", utc(started)).bind("full", full)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        SyncResult result;
        try (Backend copy = Sync.retrying(settings.retry(), target.location(), "connecting to",
                () -> openForSync(target))) {
            Sync sync = new Sync(local, copy, ledger(id), new Sync.Options(settings.parallelism(), target.bandwidthLimit(),
                    settings.retry(), target.kind() == Target.Kind.FOLDER, full, target.deleteDelay()), p -> {
                        progress.put(id.value(), p);
                        listener.accept(p);
                    }, clock, reader);
            result = sync.run();
        } catch (IOException | RuntimeException | Error e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            SyncProgress last = progress.get(id.value());
            jdbi.useHandle(h -> h.createUpdate("""
                            UPDATE target_syncs SET state = 'failed', finished = :t, error = :error,
                                   objects = :objects, bytes = :bytes WHERE id = :id""")
                    .bind("t", utc(clock.instant())).bind("error", error).bind("id", run)
                    .bind("objects", last == null ? 0 : last.objectsDone())
                    .bind("bytes", last == null ? 0 : last.bytesDone()).execute());
            audit.record(actor, "target.sync.failed", Map.of("target", target.name(), "id", id.value(), "error", error));
            throw e;
        } finally {
            progress.remove(id.value());
        }
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            UPDATE target_syncs SET state = 'succeeded', finished = :t, objects = :objects, bytes = :bytes,
                                   removed = :removed, removed_bytes = :removedBytes, waiting = :waiting,
                                   next_removal = :next, kept_note = :note
                            WHERE id = :id""")
                    .bind("t", utc(clock.instant())).bind("objects", result.objectsSent()).bind("bytes", result.bytesSent())
                    .bind("removed", result.objectsRemoved()).bind("removedBytes", result.bytesRemoved())
                    .bind("waiting", result.waitingRemoval())
                    .bind("next", result.nextRemoval() == null ? null : utc(result.nextRemoval()))
                    .bind("note", result.keptReasons().isEmpty() ? null : String.join("; ", result.keptReasons()))
                    .bind("id", run).execute();
            if (result.fullListing()) {
                h.createUpdate("UPDATE targets SET last_full_listing = :t WHERE id = :id")
                        .bind("t", utc(started)).bind("id", id.value()).execute();
            }
            AuditLog.append(h, clock.instant(), actor, "target.sync.succeeded", Map.of("target", target.name(),
                    "id", id.value(), "objects", result.objectsSent(), "bytes", result.bytesSent(),
                    "removed", result.objectsRemoved(), "removedBytes", result.bytesRemoved(),
                    "waitingRemoval", result.waitingRemoval()));
        });
        return result;
    }

    /** The scheduler's part: starts the syncs of enabled targets that are due. */
    public SourceScheduler.Duty duty() {
        return new SourceScheduler.Duty() {
            @Override
            public boolean ready() {
                return repository.get().isPresent();
            }

            @Override
            public void startDue(Instant now) {
                for (Target due : due(now)) {
                    log.info("Target {} is due ({}); starting its sync", due.name(), due.schedule().describe());
                    sync(due.id(), false, SCHEDULER);
                }
            }
        };
    }

    /** Enabled targets whose next sync is due at {@code now} and that are not syncing. */
    List<Target> due(Instant now) {
        return list().stream().filter(Target::enabled).filter(t -> !active.containsKey(t.id().value()))
                .filter(t -> !t.schedule().next(t.lastSync() == null ? null : t.lastSync().time(), t.created(), zone)
                        .isAfter(now))
                .toList();
    }

    private boolean syncedBefore(TargetId id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM target_objects WHERE target_id = :id)")
                .bind("id", id.value()).mapTo(Boolean.class).one());
    }

    /**
     * Removes objects a scrub of the target found damaged, through {@code backend} (the target's,
     * opened by the scrub), and forgets them in the catalog's record of the target: the next sync
     * sends them again from the NAS, where a damaged copy would otherwise stay for good.
     */
    public void removeDamaged(TargetId id, Backend backend, List<Handle> damaged) throws IOException {
        Ledger ledger = ledger(id);
        for (Handle handle : damaged) {
            backend.remove(handle);
            ledger.forget(handle);
            log.warn("removed {} from {}: a scrub found it damaged; the next sync sends it again", handle.path(),
                    backend.location());
        }
    }

    /** The catalog's record of what the target holds. */
    Ledger ledger(TargetId id) {
        return new Ledger() {
            @Override
            public Map<Handle, Long> known() {
                Map<Handle, Long> known = new HashMap<>();
                jdbi.useHandle(h -> h.createQuery("SELECT type, name, size FROM target_objects WHERE target_id = :id")
                        .bind("id", id.value())
                        .map((rs, ctx) -> Map.entry(new Handle(FileType.valueOf(rs.getString(1)), rs.getString(2)),
                                rs.getLong(3)))
                        .forEach(e -> known.put(e.getKey(), e.getValue())));
                return known;
            }

            @Override
            public void record(Handle handle, long size) {
                jdbi.useHandle(h -> h.createUpdate("""
                                INSERT INTO target_objects (target_id, type, name, size) VALUES (:id, :type, :name, :size)
                                ON CONFLICT (target_id, type, name) DO UPDATE SET size = EXCLUDED.size""")
                        .bind("id", id.value()).bind("type", handle.type().name()).bind("name", handle.name())
                        .bind("size", size).execute());
            }

            @Override
            public void replace(Map<Handle, Long> listing) {
                jdbi.useTransaction(h -> {
                    record Marked(OffsetDateTime since, OffsetDateTime removeAfter) {
                    }
                    Map<Handle, Marked> marked = new HashMap<>();
                    h.createQuery("SELECT type, name, gone_since, remove_after FROM target_objects WHERE target_id = :id"
                                    + " AND gone_since IS NOT NULL")
                            .bind("id", id.value())
                            .map((rs, ctx) -> Map.entry(new Handle(FileType.valueOf(rs.getString(1)), rs.getString(2)),
                                    new Marked(rs.getObject(3, OffsetDateTime.class), rs.getObject(4, OffsetDateTime.class))))
                            .forEach(e -> marked.put(e.getKey(), e.getValue()));
                    forgetObjects(h, id);
                    PreparedBatch batch = h.prepareBatch("""
                            INSERT INTO target_objects (target_id, type, name, size, gone_since, remove_after)
                            VALUES (:id, :type, :name, :size, :since, :after)""");
                    Marked none = new Marked(null, null);
                    listing.forEach((handle, size) -> batch.bind("id", id.value()).bind("type", handle.type().name())
                            .bind("name", handle.name()).bind("size", size)
                            .bind("since", marked.getOrDefault(handle, none).since())
                            .bind("after", marked.getOrDefault(handle, none).removeAfter()).add());
                    if (!listing.isEmpty()) {
                        batch.execute();
                    }
                });
            }

            @Override
            public Map<Handle, Ledger.Gone> markGone(Set<Handle> local, Instant now, Duration delay) {
                return jdbi.inTransaction(h -> {
                    record Row(Handle handle, long size, OffsetDateTime since, OffsetDateTime removeAfter) {
                    }
                    List<Row> rows = h.createQuery("SELECT type, name, size, gone_since, remove_after FROM target_objects"
                                    + " WHERE target_id = :id")
                            .bind("id", id.value())
                            .map((rs, ctx) -> new Row(new Handle(FileType.valueOf(rs.getString(1)), rs.getString(2)),
                                    rs.getLong(3), rs.getObject(4, OffsetDateTime.class),
                                    rs.getObject(5, OffsetDateTime.class)))
                            .list();
                    Map<Handle, Ledger.Gone> gone = new HashMap<>();
                    PreparedBatch mark = h.prepareBatch("""
                            UPDATE target_objects SET gone_since = :since, remove_after = :after
                            WHERE target_id = :id AND type = :type AND name = :name""");
                    int marks = 0;
                    for (Row row : rows) {
                        boolean isGone = Ledger.removable(row.handle()) && !local.contains(row.handle());
                        if (isGone) {
                            Instant since = row.since() == null ? now : row.since().toInstant();
                            Instant after = row.since() == null ? now.plus(delay)
                                    : row.removeAfter() == null ? null : row.removeAfter().toInstant();
                            gone.put(row.handle(), new Ledger.Gone(row.size(), since, after));
                        }
                        if (isGone == (row.since() == null)) {
                            mark.bind("since", isGone ? utc(now) : null)
                                    .bind("after", isGone ? utc(now.plus(delay)) : null).bind("id", id.value())
                                    .bind("type", row.handle().type().name()).bind("name", row.handle().name()).add();
                            marks++;
                        }
                    }
                    if (marks > 0) {
                        mark.execute();
                    }
                    return gone;
                });
            }

            @Override
            public void forget(Handle handle) {
                jdbi.useHandle(h -> h.createUpdate(
                                "DELETE FROM target_objects WHERE target_id = :id AND type = :type AND name = :name")
                        .bind("id", id.value()).bind("type", handle.type().name()).bind("name", handle.name()).execute());
            }
        };
    }

    private static void forgetObjects(org.jdbi.v3.core.Handle h, TargetId id) {
        h.createUpdate("DELETE FROM target_objects WHERE target_id = :id").bind("id", id.value()).execute();
        h.createUpdate("UPDATE targets SET last_full_listing = NULL WHERE id = :id").bind("id", id.value()).execute();
    }

    /**
     * The target now points elsewhere: what it holds is unknown (listed in full at the next sync), and
     * syncs before {@code now} went to the old place, so they make it no copy.
     */
    private static void moved(org.jdbi.v3.core.Handle h, TargetId id, Instant now) {
        forgetObjects(h, id);
        h.createUpdate("UPDATE targets SET location_since = :now WHERE id = :id")
                .bind("now", utc(now)).bind("id", id.value()).execute();
    }

    /** A sync records what it sends as it goes: changing or removing its target under it would mix two places. */
    private void refuseWhileSyncing(Target target, String what) {
        if (active.containsKey(target.id().value())) {
            throw new TargetBusyException("'" + target.name() + "' is syncing; wait for the sync to end, then " + what);
        }
    }

    // ---- rows -------------------------------------------------------------------------------

    private static final String SELECT = """
            SELECT t.*, s.started AS sync_started, s.state AS sync_state, s.objects AS sync_objects,
                   s.bytes AS sync_bytes, s.error AS sync_error, s.removed AS sync_removed,
                   s.removed_bytes AS sync_removed_bytes, s.kept_note AS sync_kept_note, g.started AS good_started,
                   w.objects AS waiting_objects, w.bytes AS waiting_bytes, w.first_on AS waiting_first_on
            FROM targets t
            LEFT JOIN LATERAL (SELECT count(*) AS objects, coalesce(sum(size), 0) AS bytes,
                                      min(greatest(remove_after, gone_since + t.delete_delay_seconds * interval '1 second'))
                                          AS first_on
                               FROM target_objects WHERE target_id = t.id AND gone_since IS NOT NULL) w ON true
            LEFT JOIN LATERAL (SELECT * FROM target_syncs WHERE target_id = t.id ORDER BY id DESC LIMIT 1) s ON true
            LEFT JOIN LATERAL (SELECT started FROM target_syncs WHERE target_id = t.id AND state = 'succeeded'
                                 AND (t.location_since IS NULL OR started >= t.location_since)
                               ORDER BY id DESC LIMIT 1) g ON true""";

    private static Target map(ResultSet rs) throws SQLException {
        Target.Kind kind = Target.Kind.valueOf(rs.getString("kind").toUpperCase(java.util.Locale.ROOT));
        Target.S3Location s3 = kind != Target.Kind.S3 ? null : new Target.S3Location(URI.create(rs.getString("endpoint")),
                rs.getString("region"), rs.getString("bucket"), rs.getString("prefix"), rs.getString("access_key"),
                rs.getBoolean("path_style"), S3Settings.Checksums.valueOf(rs.getString("checksums")),
                rs.getString("secret_hint"));
        Path folder = kind == Target.Kind.FOLDER ? Path.of(rs.getString("path")) : null;
        Target.SftpLocation sftp = kind != Target.Kind.SFTP ? null : new Target.SftpLocation(rs.getString("host"),
                rs.getInt("port"), rs.getString("user_name"), rs.getString("path"), rs.getString("host_key"),
                rs.getString("key_file") == null ? null : Path.of(rs.getString("key_file")),
                rs.getBytes("secret") != null, rs.getBoolean("peer"));
        LocalTime daily = rs.getObject("daily_at", LocalTime.class);
        Schedule schedule = daily != null ? new Schedule.Daily(daily) : new Schedule.EveryHours(rs.getInt("every_hours"));
        Target.LastSync last = null;
        if (rs.getString("sync_state") != null) {
            last = new Target.LastSync(instant(rs.getTimestamp("sync_started")),
                    Target.LastSync.State.valueOf(rs.getString("sync_state").toUpperCase(java.util.Locale.ROOT)),
                    rs.getLong("sync_objects"), rs.getLong("sync_bytes"), rs.getString("sync_error"),
                    rs.getLong("sync_removed"), rs.getLong("sync_removed_bytes"), rs.getString("sync_kept_note"));
        }
        long delaySeconds = rs.getLong("delete_delay_seconds");
        Duration delay = rs.wasNull() ? null : Duration.ofSeconds(delaySeconds);
        // With no delay (never removes) nothing is due: first_on is NULL, and so is firstOn.
        long waitingObjects = rs.getLong("waiting_objects");
        Target.Waiting waiting = waitingObjects == 0 ? Target.Waiting.NONE : new Target.Waiting(waitingObjects,
                rs.getLong("waiting_bytes"), delay == null ? null : instant(rs.getTimestamp("waiting_first_on")));
        return new Target(new TargetId(rs.getLong("id")), rs.getString("name"), kind, s3, folder, schedule,
                rs.getBoolean("enabled"), rs.getLong("bandwidth_limit"), instant(rs.getTimestamp("created")), last,
                instant(rs.getTimestamp("good_started")), sftp, delay, waiting);
    }

    private static Update bindSchedule(Update update, Schedule schedule) {
        return switch (schedule) {
            case Schedule.Daily d -> update.bind("daily", d.at()).bind("hours", (Integer) null);
            case Schedule.EveryHours e -> update.bind("daily", (LocalTime) null).bind("hours", e.hours());
        };
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME || !name.equals(name.strip())
                || name.codePoints().anyMatch(Character::isISOControl)) {
            throw new InvalidTargetException("Give the target a name of 1 to " + MAX_NAME + " characters without"
                    + " control characters or leading and trailing blanks, e.g. 'Backblaze' or 'USB disk'.");
        }
    }

    private static void checkLimit(long bandwidthLimit) {
        if (bandwidthLimit < 0) {
            throw new InvalidTargetException("A bandwidth limit is a number of bytes per second, 0 for none; "
                    + bandwidthLimit + " is negative.");
        }
    }

    private static Path checkFolder(Path folder) {
        if (folder == null || !folder.isAbsolute()) {
            throw new InvalidTargetException("Give the folder as an absolute path, e.g. /media/usb/threefold; '" + folder
                    + "' is not one.");
        }
        return folder.normalize();
    }

    private static InvalidTargetException taken(String name, UnableToExecuteStatementException e) {
        if (e.getCause() instanceof PSQLException p && PSQLState.UNIQUE_VIOLATION.getState().equals(p.getSQLState())) {
            return new InvalidTargetException("A target named '" + name + "' already exists; choose another name.");
        }
        throw e;
    }

    private static TargetNotFoundException notFound(TargetId id) {
        return new TargetNotFoundException("There is no target " + id + "; it may have been removed. Reload the list.");
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
