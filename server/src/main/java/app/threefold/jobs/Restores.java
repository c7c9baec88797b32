package app.threefold.jobs;

import app.threefold.audit.AuditLog;
import app.threefold.engine.Engine;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.restore.Restorer;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
 * absolute path outside the appliance's data directory and empty or missing.
 */
public final class Restores {

    public static final String KIND = "restore";

    private final Jobs jobs;
    private final Supplier<Optional<Engine>> engine;
    private final AuditLog audit;
    private final Path dataDir;

    public Restores(Jobs jobs, Supplier<Optional<Engine>> engine, AuditLog audit, Path dataDir) {
        this.jobs = Objects.requireNonNull(jobs);
        this.engine = Objects.requireNonNull(engine);
        this.audit = Objects.requireNonNull(audit);
        this.dataDir = dataDir.toAbsolutePath().normalize();
    }

    /**
     * Checks the target and queues the restore of {@code subpath} ("/" for all) of the snapshot
     * with root tree {@code tree}.
     *
     * @throws RepositoryException if the target is relative, inside the data directory or not empty
     */
    public Job start(String device, Id tree, String subpath, String target, String actor) throws IOException {
        Engine e = engine.get().orElseThrow(() -> new RepositoryException(
                "The appliance has no repository yet; finish the setup wizard first."));
        Path to = checkTarget(target);
        audit.record(actor, "restore.started", Map.of("device", device, "path", subpath, "target", to.toString()));
        return jobs.submit(KIND, device, "local", actor, progress -> run(e, device, tree, subpath, to, actor, progress));
    }

    Path checkTarget(String target) throws IOException {
        if (target == null || target.isBlank() || !Path.of(target.trim()).isAbsolute()) {
            throw new RepositoryException("Give the restore target as an absolute folder path on the NAS, e.g. /srv/restore/laptop.");
        }
        Path to = Path.of(target.trim()).normalize();
        if (to.startsWith(dataDir) || dataDir.startsWith(to)) {
            throw new RepositoryException("Refusing to restore into " + to + ": it overlaps the appliance's data directory "
                    + dataDir + ". Choose a folder elsewhere.");
        }
        if (Files.isDirectory(to)) {
            try (var entries = Files.list(to)) {
                if (entries.findAny().isPresent()) {
                    throw new RepositoryException(to + " is not empty; choose an empty or new folder, so nothing is overwritten.");
                }
            }
        } else if (Files.exists(to)) {
            throw new RepositoryException(to + " is a file; choose an empty or new folder.");
        }
        return to;
    }

    private Map<String, Object> run(Engine e, String device, Id tree, String subpath, Path to, String actor,
                                    Jobs.ProgressSink progress) throws Exception {
        Repository repo = e.repository();
        Restorer restorer = new Restorer(repo, e.workers());
        progress.report(0, "counting what to restore");
        Node selected = subpath.isEmpty() || subpath.equals("/") ? null : restorer.resolve(tree, subpath);
        long total = selected == null ? sizeOf(repo, tree) : selected.isDir() ? sizeOf(repo, selected.subtree()) : selected.size();
        long started = System.nanoTime();
        CompletableFuture<Restorer.Summary> done = CompletableFuture.supplyAsync(() -> {
            try {
                return restorer.restore(tree, subpath, to);
            } catch (IOException io) {
                throw new java.io.UncheckedIOException(io);
            }
        });
        Restorer.Summary summary;
        while (true) {
            try {
                summary = done.get(250, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException stillRunning) {
                long bytes = restorer.bytesRestored();
                progress.report(total == 0 ? 0 : (double) bytes / total, bytes + " of " + total + " bytes restored");
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
