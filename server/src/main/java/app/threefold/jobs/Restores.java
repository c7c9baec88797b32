package app.threefold.jobs;

import app.threefold.ThreefoldException;
import app.threefold.audit.AuditLog;
import app.threefold.browse.SnapshotRoot;
import app.threefold.engine.Engine;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.restore.RestoreFolders;
import app.threefold.restore.RestoreTargetException;
import app.threefold.restore.Restorer;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Restores a snapshot, or a folder or file in it, into a folder on the NAS as a job with
 * progress. The result is {@code {target, files, bytes, seconds}}. The target must be an
 * absolute path under a NAS share the admin declared ({@link RestoreFolders}), outside the
 * appliance's data directory, and empty or missing; it is checked on its real path when asked
 * for and again right before the first write.
 */
public final class Restores {

    public static final String KIND = "restore";

    private final Jobs jobs;
    private final Supplier<Optional<Engine>> engine;
    private final AuditLog audit;
    private final RestoreFolders folders;

    public Restores(Jobs jobs, Supplier<Optional<Engine>> engine, AuditLog audit, RestoreFolders folders) {
        this.jobs = Objects.requireNonNull(jobs);
        this.engine = Objects.requireNonNull(engine);
        this.audit = Objects.requireNonNull(audit);
        this.folders = Objects.requireNonNull(folders);
    }

    /** The NAS shares restores may write into. */
    public RestoreFolders folders() {
        return folders;
    }

    /**
     * Checks the target and queues the restore of {@code subpath} ("/" for all) of the snapshot
     * with root tree {@code tree}.
     *
     * @throws RestoreTargetException if the target is not an absolute path under a declared NAS
     *                                share, overlaps the data directory or is not empty
     */
    public Job start(String device, Id tree, String subpath, String target, String actor) throws IOException {
        return start(device, tree, List.of(subpath), false, target, actor);
    }

    /**
     * Like {@link #start(String, Id, String, String, String)} for entries selected in a listing,
     * each restored under its own name inside the target (a selected folder keeps its name).
     */
    public Job startSelected(String device, Id tree, List<String> subpaths, String target, String actor) throws IOException {
        return start(device, tree, subpaths, true, target, actor);
    }

    /** Like {@link #start(String, Id, String, String, String)} for the snapshot whose root is {@code root}. */
    public Job start(String device, SnapshotRoot root, String subpath, String target, String actor) throws IOException {
        return start(device, root.tree(), subpath, target, actor);
    }

    /** Like {@link #startSelected(String, Id, List, String, String)} for the snapshot whose root is {@code root}. */
    public Job startSelected(String device, SnapshotRoot root, List<String> subpaths, String target, String actor)
            throws IOException {
        return startSelected(device, root.tree(), subpaths, target, actor);
    }

    private Job start(String device, Id tree, List<String> subpaths, boolean sideBySide, String target, String actor)
            throws IOException {
        Engine e = engine.get().orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, 
                "The appliance has no repository yet; finish the setup wizard first."));
        if (subpaths.isEmpty()) {
            throw new IllegalArgumentException("no path to restore");
        }
        Path to = folders.checkTarget(target);
        String shown = String.join(", ", subpaths);
        audit.record(actor, "restore.started", Map.of("device", device, "path", shown, "target", to.toString()));
        return jobs.submit(KIND, device, "local", actor, progress -> run(e, device, tree, subpaths, sideBySide, to, actor, progress));
    }

    private Map<String, Object> run(Engine e, String device, Id tree, List<String> subpaths, boolean sideBySide, Path to, String actor,
                                    Jobs.ProgressSink progress) throws Exception {
        String subpath = String.join(", ", subpaths);
        // The folder may have been swapped for a link since it was checked: check its real path again.
        Path now = folders.checkTarget(to.toString());
        if (!now.equals(to)) {
            throw new RestoreTargetException(to + " now resolves to " + now + ", not to the folder that was checked;"
                    + " nothing was restored. Start the restore again.");
        }
        Repository repo = e.repository();
        Restorer restorer = new Restorer(repo, e.files().trees(), e.workers());
        progress.report(0, "counting what to restore");
        long total = 0;
        for (String path : subpaths) {
            Node selected = path.isEmpty() || path.equals("/") ? null : restorer.resolve(tree, path);
            total += selected == null ? sizeOf(repo, tree) : selected.isDir() ? sizeOf(repo, selected.subtree()) : selected.size();
        }
        long started = System.nanoTime();
        // On the engine's restore pool, not the JVM's common pool: restores share the cores the
        // engine gives to work a person waits on, apart from the storing pool. The walk holds one
        // worker while the files are written by the others; restores and restore tests take
        // turns in their job lane, so the pool (cores + 1) always has a worker left for the files.
        CompletableFuture<Restorer.Summary> done = CompletableFuture.supplyAsync(() -> {
            try {
                return sideBySide ? restorer.restore(tree, subpaths, to) : restorer.restore(tree, subpaths.getFirst(), to);
            } catch (IOException io) {
                throw new java.io.UncheckedIOException(io);
            }
        }, e.workers());
        Restorer.Summary summary;
        while (true) {
            try {
                summary = done.get(250, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException stillRunning) {
                long bytes = restorer.bytesRestored();
                progress.report(bytes, total, Job.Amount.Unit.BYTES, "restored");
            } catch (ExecutionException failed) {
                Throwable cause = failed.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : failed.getCause();
                audit.record(actor, "restore.failed", Map.of("device", device, "target", to.toString(),
                        "error", String.valueOf(cause.getMessage())));
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                throw failed;
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("target", to.toString());
        result.put("files", summary.files());
        result.put("bytes", summary.bytes());
        result.put("seconds", (System.nanoTime() - started) / 1e9);
        audit.record(actor, "restore.finished", Map.of("device", device, "path", subpath, "target", to.toString(),
                "files", summary.files()));
        return result;
    }

    private static long sizeOf(Repository repo, Id tree) throws IOException {
        if (tree == null) {
            return 0;
        }
        long sum = 0;
        for (Node n : TreeCodec.decode(repo.loadBlob(BlobType.TREE, tree))) {
            sum += n.isDir() ? sizeOf(repo, n.subtree()) : n.isFile() ? n.size() : 0;
        }
        return sum;
    }
}
