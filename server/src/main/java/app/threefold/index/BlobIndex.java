package app.threefold.index;

import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.pack.PackEntry;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which pack holds which blob. The appliance keeps it in the catalog (PostgreSQL); commands run
 * against a bare copy build one in memory from the index files.
 */
public interface BlobIndex {

    Optional<BlobLocation> find(BlobType type, Id blob);

    /** Of {@code blobs}, the ones the index holds; one round trip for the whole batch. */
    Set<Id> known(BlobType type, Collection<Id> blobs);

    /**
     * Records the packs an index file names. {@code indexFile} is null for packs indexed only in
     * memory (read from their headers for a read-only command). Adding a pack twice is harmless.
     */
    void add(Id indexFile, List<IndexFile.PackRecord> packs);

    /** Every pack the index knows. */
    Set<Id> packs();

    /** The index files recorded so far. */
    Set<Id> indexFiles();

    /** Forgets everything, before a rebuild from the repository. */
    void clear();

    /** Every pack with its entries, for writing index files or checking. Streams; never all in memory. */
    void forEachPack(java.util.function.BiConsumer<Id, List<PackEntry>> each);
}
