package app.threefold.mirror;

import app.threefold.backend.Backend;
import app.threefold.index.BlobIndex;
import app.threefold.repository.Repository;
import java.io.IOException;

/**
 * Opens a copy with the local repository's key, so a sync can read the snapshots a copy still holds
 * before it removes packs from it: usually {@code repository.openCopy(copy, index)}.
 */
@FunctionalInterface
public interface CopyReader {

    /** Without the repository's key no snapshot on a copy can be read, so a sync removes no packs or index files. */
    CopyReader NONE = (copy, index) -> {
        throw new IllegalStateException("the repository's key is not at hand to read the copy's snapshots");
    };

    /**
     * The copy as a repository, indexed into {@code index} from its own index files.
     *
     * @throws RuntimeException if the copy cannot be opened with the key (another repository)
     */
    Repository open(Backend copy, BlobIndex index) throws IOException;
}
