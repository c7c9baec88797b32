package app.threefold.jobs;

import app.threefold.ThreefoldException;
import app.threefold.audit.AuditLog;
import app.threefold.engine.Engine;
import app.threefold.repository.RepositoryException;
import app.threefold.snapshot.Snapshot;
import app.threefold.verify.RestoreTest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Starts one-click restore tests as jobs: the latest snapshot of a device, restored from a copy
 * into a discarding sink and verified file by file (see {@link RestoreTest}). The job's result is
 * {@code {verdict: passed|failed, snapshot, files, bytes, filesUnverified, seconds, failures: [{path, reason}]}}.
 */
public final class RestoreTests {

    public static final String KIND = "restore-test";
    /** The NAS's own repository; mirrors will add their target ids. */
    public static final String LOCAL = "local";

    private final Jobs jobs;
    private final Supplier<Optional<Engine>> engine;
    private final AuditLog audit;
    private final Clock clock;

    public RestoreTests(Jobs jobs, Supplier<Optional<Engine>> engine, AuditLog audit, Clock clock) {
        this.jobs = Objects.requireNonNull(jobs);
        this.engine = Objects.requireNonNull(engine);
        this.audit = Objects.requireNonNull(audit);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Queues a restore test of {@code device}'s latest snapshot on {@code copy}.
     *
     * @throws RepositoryException if the copy is unknown or the appliance has no repository yet
     */
    public Job start(String device, String copy, String actor) {
        if (!LOCAL.equals(copy)) {
            throw new RepositoryException(ThreefoldException.Kind.BAD_REQUEST, "Unknown copy '" + copy + "': only \"local\" (the NAS) can be tested so far.");
        }
        Engine e = engine.get().orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, 
                "The appliance has no repository yet; finish the setup wizard first."));
        audit.record(actor, "restore-test.started", Map.of("device", device, "copy", copy));
        return jobs.submit(KIND, device, copy, actor, progress -> run(e, device, copy, actor, progress));
    }

    private Map<String, Object> run(Engine e, String device, String copy, String actor, Jobs.ProgressSink progress)
            throws Exception {
        progress.report(0, "finding the latest snapshot");
        Snapshot found = e.snapshots().latest(device).orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.NOT_FOUND, 
                "Device " + device + " has no snapshot yet: back it up first, then test the restore."));
        // The snapshot file as it is on disk now, not as it was when the appliance first listed it.
        Snapshot latest = e.snapshots().load(found.id());
        progress.report(0, "reading the folders of snapshot " + latest.id().shortHex());
        RestoreTest test = new RestoreTest(e.repository(), e.digests()::sha256, e.workers(), clock);
        RestoreTest.Result r = test.run(latest, p -> {
            if (p.totalBytes() > 0) {
                progress.report(p.bytes(), p.totalBytes(), Job.Amount.Unit.BYTES, "restored and checked");
            } else {
                progress.report(p.files(), p.totalFiles(), Job.Amount.Unit.FILES, "checked");
            }
        });
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("verdict", r.verdict());
        result.put("snapshot", latest.id().hex());
        result.put("files", r.files());
        result.put("bytes", r.bytes());
        result.put("filesUnverified", r.filesUnverified());
        result.put("seconds", r.duration().toMillis() / 1000.0);
        List<Map<String, String>> failures = r.failures().stream()
                .map(f -> Map.of("path", f.path(), "reason", f.reason())).toList();
        result.put("failures", failures);
        audit.record(actor, r.passed() ? "restore-test.passed" : "restore-test.failed",
                Map.of("device", device, "copy", copy, "files", r.files(), "failures", failures.size()));
        return result;
    }
}
