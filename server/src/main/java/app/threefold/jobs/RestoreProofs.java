package app.threefold.jobs;

import app.threefold.ThreefoldException;
import app.threefold.audit.AuditLog;
import app.threefold.backend.Backend;
import app.threefold.backend.NotARepositoryException;
import app.threefold.engine.Engine;
import app.threefold.index.MemoryIndex;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import app.threefold.verify.RestoreProof;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Starts one-click restore tests as jobs: the latest snapshot of a device, restored from a copy
 * into a discarding sink and verified file by file (see {@link RestoreProof}). The copy is the
 * NAS's own repository ({@value #LOCAL}) or one of its {@link Copies}; a copy is read entirely
 * from its own storage (config, index files, snapshots, trees, packs), never from the NAS's
 * repository or the catalog's index, so a pass proves that copy. Only the SHA-256 recorded at
 * ingest comes from the catalog: it is what the copy is judged against. The job's result is
 * {@code {verdict: passed|failed, copy, copyName, location (not for local), sampled, snapshot, files, bytes,
 * filesUnverified, seconds, failures: [{path, reason}]}}; each outcome also goes to the {@link TestRecords}.
 */
public final class RestoreProofs {

    public static final String KIND = "restore-test";
    /** The NAS's own repository; other copies go by their {@link Copies} id. */
    public static final String LOCAL = "local";

    private final Jobs jobs;
    private final Supplier<Optional<Engine>> engine;
    private final AuditLog audit;
    private final Clock clock;
    private final Copies copies;
    private final TestRecords records;

    public RestoreProofs(Jobs jobs, Supplier<Optional<Engine>> engine, AuditLog audit, Clock clock) {
        this(jobs, engine, audit, clock, Copies.NONE);
    }

    public RestoreProofs(Jobs jobs, Supplier<Optional<Engine>> engine, AuditLog audit, Clock clock, Copies copies) {
        this(jobs, engine, audit, clock, copies, TestRecords.NONE);
    }

    /** As the other constructors; every test's outcome goes to {@code records}, which also says how much to read. */
    public RestoreProofs(Jobs jobs, Supplier<Optional<Engine>> engine, AuditLog audit, Clock clock, Copies copies,
                         TestRecords records) {
        this.jobs = Objects.requireNonNull(jobs);
        this.engine = Objects.requireNonNull(engine);
        this.audit = Objects.requireNonNull(audit);
        this.clock = Objects.requireNonNull(clock);
        this.copies = Objects.requireNonNull(copies);
        this.records = Objects.requireNonNull(records);
    }

    /**
     * Queues {@code work} as a restore test job whose outcome, however it ends, goes to the records
     * before the job counts as done. The work waits for its job's id, known once submit returns.
     */
    private Job submit(String device, String copy, String actor, Jobs.Work work) {
        java.util.concurrent.CompletableFuture<Long> id = new java.util.concurrent.CompletableFuture<>();
        Job job = jobs.submit(KIND, device, copy, actor, progress -> {
            java.time.Instant started = clock.instant();
            try {
                Map<String, Object> result = work.run(progress);
                records.ended(new TestRecords.Outcome(id.join(), device, copy, actor, started, clock.instant(), result, null));
                return result;
            } catch (Exception | Error e) {
                String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                records.ended(new TestRecords.Outcome(id.join(), device, copy, actor, started, clock.instant(), null, error));
                throw e;
            }
        });
        id.complete(job.id());
        return job;
    }

    /**
     * Queues a restore test of {@code device}'s latest snapshot on {@code copy}: {@value #LOCAL}
     * or the id of one of the {@link Copies}.
     *
     * @throws RepositoryException if the copy is unknown or the appliance has no repository yet
     */
    public Job start(String device, String copy, String actor) {
        if (LOCAL.equals(copy)) {
            Engine e = engine();
            audit.record(actor, "restore-test.started", Map.of("device", device, "copy", copy));
            return submit(device, copy, actor, progress -> run(e, device, copy, actor, progress));
        }
        Copies.Copy found = copies.find(copy).orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.NOT_FOUND,
                "Unknown copy '" + copy + "': give \"local\" (the NAS) or the id of one of its mirror targets."));
        return start(device, copy, found, actor);
    }

    /**
     * Queues a restore test of {@code device}'s latest snapshot in {@code copy}, known to the API
     * as {@code copyId}. The job connects to the copy, reads from nothing else, and closes it.
     */
    public Job start(String device, String copyId, Copies.Copy copy, String actor) {
        Engine e = engine();
        audit.record(actor, "restore-test.started", Map.of("device", device, "copy", copyId));
        return submit(device, copyId, actor, progress -> {
            progress.report(0, "connecting to " + copy.name());
            try (Backend backend = connect(copy)) {
                progress.report(0, "reading the index of " + copy.name());
                Repository onCopy = e.repository().openCopy(backend, new MemoryIndex());
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("copy", copyId);
                result.put("copyName", copy.name());
                result.put("location", backend.location());
                result.putAll(test(e, onCopy, device, copyId, actor, progress));
                return result;
            }
        });
    }

    /** Connects to a copy; what goes wrong is said in terms of the copy, with what to do about it. */
    private static Backend connect(Copies.Copy copy) {
        try {
            return copy.connector().connect();
        } catch (NotARepositoryException e) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "The copy '" + copy.name() + "' at " + e.location() + " holds no repository ("
                    + e.reason() + "): sync it first, or check that the disk is mounted and the location is right.", e);
        } catch (IOException e) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "The copy '" + copy.name() + "' cannot be opened: " + e.getMessage(), e);
        }
    }

    private Engine engine() {
        return engine.get().orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.UNAVAILABLE,
                "The appliance has no repository yet; finish the setup wizard first."));
    }

    private Map<String, Object> run(Engine e, String device, String copy, String actor, Jobs.ProgressSink progress)
            throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("copy", copy);
        result.put("copyName", "this NAS");
        result.putAll(test(e, e.repository(), device, copy, actor, progress));
        return result;
    }

    /** The test itself, reading snapshots, trees and packs from {@code copy} only. */
    private Map<String, Object> test(Engine e, Repository copy, String device, String copyId, String actor,
                                     Jobs.ProgressSink progress) throws Exception {
        progress.report(0, "finding the latest snapshot");
        Snapshots snapshots = new Snapshots(copy);
        Snapshot found = snapshots.latest(device).orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.NOT_FOUND, LOCAL.equals(copyId)
                ? "Device " + device + " has no snapshot yet: back it up first, then test the restore."
                : "The copy " + copy.backend().location() + " has no snapshot of device " + device
                        + " yet: sync the copy first, then test the restore."));
        // The snapshot file as it is on the copy now, not as it was when it was first listed.
        Snapshot latest = snapshots.load(found.id());
        progress.report(0, "reading the folders of snapshot " + latest.id().shortHex());
        RestoreProof test = new RestoreProof(copy, e.digests()::sha256, e.workers(), clock);
        RestoreProof.Sample sample = records.sample(device, copyId);
        RestoreProof.Result r = test.run(latest, sample, p -> {
            if (p.totalBytes() > 0) {
                progress.report(p.bytes(), p.totalBytes(), Job.Amount.Unit.BYTES, "restored and checked");
            } else {
                progress.report(p.files(), p.totalFiles(), Job.Amount.Unit.FILES, "checked");
            }
        });
        if (r.sampled()) {
            records.packsRead(device, copyId, r.packsRead(), r.newRound());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("verdict", r.verdict());
        result.put("sampled", r.sampled());
        result.put("snapshot", latest.id().hex());
        result.put("files", r.files());
        result.put("bytes", r.bytes());
        result.put("filesUnverified", r.filesUnverified());
        result.put("seconds", r.duration().toMillis() / 1000.0);
        List<Map<String, String>> failures = r.failures().stream()
                .map(f -> Map.of("path", f.path(), "reason", f.reason())).toList();
        result.put("failures", failures);
        audit.record(actor, r.passed() ? "restore-test.passed" : "restore-test.failed",
                Map.of("device", device, "copy", copyId, "files", r.files(), "failures", failures.size()));
        return result;
    }
}
