package app.threefold.check;

import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.Id;
import app.threefold.index.IndexFile;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packs a scrub found damaged and no copy could mend, taken out of the repository as
 * {@code restic repair index} would: while the index names their blobs, every later backup
 * dedups against data nobody can read, and "back up again" stores nothing. Without them the next
 * backup of the same files stores those blobs anew, and the older snapshots that need them are
 * whole again.
 */
public final class LostPacks {
    private static final Logger log = LoggerFactory.getLogger(LostPacks.class);

    private LostPacks() {
    }

    /**
     * Under the repository's exclusive lock (it waits up to {@code patience} for this process's
     * backups): one new index file with every other pack of the index files that name a lost pack,
     * superseding them; then those files go, then the packs. A crash in between leaves at worst an
     * old index file beside its successor, which the next scrub finds and drops again. Then the
     * catalog's blob index is brought up to date (it rebuilds itself when index files vanished).
     *
     * @return how many index files were replaced (0 if no index file named the packs)
     */
    public static int drop(Repository repository, Set<Id> packs, Clock clock, Duration patience) throws IOException {
        if (packs.isEmpty()) {
            return 0;
        }
        List<Id> superseded = new ArrayList<>();
        try (RepositoryLock lock = RepositoryLock.acquireExclusive(repository, clock, patience, n -> { })) {
            List<IndexFile.PackRecord> kept = new ArrayList<>();
            for (Id file : repository.list(FileType.INDEX)) {
                List<IndexFile.PackRecord> records = IndexFile.decode(repository.loadUnpacked(FileType.INDEX, file));
                if (records.stream().anyMatch(r -> packs.contains(r.pack()))) {
                    superseded.add(file);
                    records.stream().filter(r -> !packs.contains(r.pack())).forEach(kept::add);
                }
            }
            if (!superseded.isEmpty()) {
                repository.saveUnpacked(FileType.INDEX, IndexFile.encode(kept, superseded));
                for (Id file : superseded) {
                    repository.backend().remove(new Handle(FileType.INDEX, file.hex()));
                }
            }
            // Unnamed by any index, a pack whose header still reads would be indexed again at the next start.
            for (Id pack : packs) {
                repository.backend().remove(new Handle(FileType.PACK, pack.hex()));
            }
        }
        repository.syncIndex();
        log.warn("dropped {} damaged pack(s) nobody could repair from {} ({} index file(s) rewritten); the next backup"
                + " of the same files stores their data again", packs.size(), repository.backend().location(), superseded.size());
        return superseded.size();
    }
}
