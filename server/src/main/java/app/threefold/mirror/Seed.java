package app.threefold.mirror;

import app.threefold.backend.Backend;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * A sync the other way round: a copy's objects into an empty (or partly filled) local repository,
 * for rebuilding an appliance from its off-site copy. The same guarantees as a mirror sync: objects
 * in the order config and keys → packs → index → snapshots, each hashed against its name on the way
 * (a damaged object on the copy fails the recovery instead of landing on the new NAS), retried on
 * transient failures, four at a time. The local side is listed first, so a recovery cut off and
 * started again fetches only what is missing.
 */
public final class Seed {

    private Seed() {
    }

    /**
     * Copies every object of {@code copy} that {@code local} lacks.
     *
     * @throws ForeignRepositoryException if {@code local} already holds another repository
     */
    public static SyncResult copy(Backend copy, Backend local, Consumer<SyncProgress> progress) throws IOException {
        return new Sync(copy, local, Ledger.inMemory(), new Sync.Options(4, 0, Retry.DEFAULT, false, true), progress).run();
    }
}
