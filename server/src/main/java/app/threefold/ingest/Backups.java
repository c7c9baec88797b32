package app.threefold.ingest;

import app.threefold.chunker.Chunker;
import app.threefold.chunker.ChunkerParams;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Starts ingest sessions for devices: each builds on the device's latest snapshot, so that
 * unchanged files are not read again.
 */
public final class Backups {
    private final Repository repository;
    private final ExecutorService workers;
    private final ContentDigests digests;
    private final Clock clock;
    private final Chunker chunker;

    public Backups(Repository repository, ExecutorService workers, ContentDigests digests, Clock clock, ChunkerParams params) {
        this.repository = repository;
        this.workers = workers;
        this.digests = digests;
        this.clock = clock;
        this.chunker = new Chunker(params, repository.chunkerKey());
    }

    /** A session on top of the device's latest snapshot (or from scratch for a new device). */
    public IngestSession begin(String device) throws IOException {
        Snapshot parent = new Snapshots(repository).latest(device).orElse(null);
        return begin(parent);
    }

    /** A session on top of a given snapshot, or null for none. */
    public IngestSession begin(Snapshot parent) throws IOException {
        return new IngestSession(repository, new BlobSaver(repository, workers),
                chunker, digests, workers, clock, parent);
    }

    /** Snapshots a folder on the NAS for a device. */
    public IngestSession.Result backupFolder(String device, Path folder) throws IOException {
        return backupFolder(device, folder, FolderSource.Progress.NONE);
    }

    /** Snapshots a folder on the NAS for a device, telling {@code progress} after each file. */
    public IngestSession.Result backupFolder(String device, Path folder, FolderSource.Progress progress) throws IOException {
        Path absolute = folder.toAbsolutePath().normalize();
        try (IngestSession session = begin(device)) {
            FolderSource source = new FolderSource(progress);
            source.ingest(absolute, session);
            IngestSession.Result result = session.commit(device, System.getProperty("user.name", "threefold"),
                    List.of(absolute.toString()), List.of());
            if (source.skipped().isEmpty()) {
                return result;
            }
            List<String> problems = new java.util.ArrayList<>(result.problems());
            problems.addAll(source.skipped());
            return new IngestSession.Result(result.snapshot(), result.stats(), problems);
        }
    }
}
