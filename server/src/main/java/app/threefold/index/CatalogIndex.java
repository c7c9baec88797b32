package app.threefold.index;

import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.pack.PackEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Jdbi;

/**
 * The blob index in the catalog (tables {@code index_files}, {@code packs} and {@code blobs}, read
 * and written here only), so that its size is PostgreSQL's concern, not the heap's. Look-ups go to
 * the database in batches.
 */
public final class CatalogIndex implements BlobIndex {
    private final Jdbi jdbi;

    public CatalogIndex(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Bytes of all packs in the repository (after dedup and compression), as the index knows them. */
    public long storedBytes() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(size), 0) FROM packs").mapTo(Long.class).one());
    }

    @Override
    public Optional<BlobLocation> find(BlobType type, Id blob) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT pack, \"offset\", length, uncompressed_length FROM blobs WHERE id = :id AND type = :type")
                .bind("id", blob.bytes())
                .bind("type", type.ordinal())
                .map((rs, ctx) -> new BlobLocation(Id.of(rs.getBytes(1)), type, rs.getInt(2), rs.getInt(3), rs.getInt(4)))
                .findOne());
    }

    @Override
    public Set<Id> known(BlobType type, Collection<Id> blobs) {
        if (blobs.isEmpty()) {
            return Set.of();
        }
        List<byte[]> ids = new ArrayList<>(blobs.size());
        blobs.forEach(b -> ids.add(b.bytes()));
        return jdbi.withHandle(h -> new HashSet<>(h.createQuery("SELECT id FROM blobs WHERE type = :type AND id IN (<ids>)")
                .bind("type", type.ordinal())
                .bindList("ids", ids)
                .map((rs, ctx) -> Id.of(rs.getBytes(1)))
                .list()));
    }

    @Override
    public void add(Id indexFile, List<IndexFile.PackRecord> packs) {
        jdbi.useTransaction(h -> {
            if (indexFile != null) {
                h.createUpdate("INSERT INTO index_files (id) VALUES (:id) ON CONFLICT DO NOTHING").bind("id", indexFile.bytes()).execute();
            }
            insert(h, packs);
        });
    }

    private static void insert(org.jdbi.v3.core.Handle h, List<IndexFile.PackRecord> packs) {
        var packBatch = h.prepareBatch("INSERT INTO packs (id, type, size) VALUES (:id, :type, :size) ON CONFLICT DO NOTHING");
        var blobBatch = h.prepareBatch("INSERT INTO blobs (id, type, pack, \"offset\", length, uncompressed_length) "
                + "VALUES (:id, :type, :pack, :offset, :length, :ulen) ON CONFLICT DO NOTHING");
        boolean any = false;
        for (IndexFile.PackRecord p : packs) {
            if (p.blobs().isEmpty()) {
                continue;
            }
            any = true;
            byte[] pack = p.pack().bytes();
            long end = 0;
            for (PackEntry e : p.blobs()) {
                end = Math.max(end, (long) e.offset() + e.length());
                blobBatch.bind("id", e.id().bytes()).bind("type", e.type().ordinal()).bind("pack", pack)
                        .bind("offset", e.offset()).bind("length", e.length()).bind("ulen", e.uncompressedLength()).add();
            }
            packBatch.bind("id", pack).bind("type", p.blobs().get(0).type().ordinal()).bind("size", end).add();
        }
        if (any) {
            packBatch.execute();
            blobBatch.execute();
        }
    }

    /**
     * What a prune did, in one transaction, before it deletes anything: the index files are now
     * exactly {@code indexFiles}; the {@code dropped} packs (removed, repacked, missing) are gone
     * with their blobs; the packs the repack wrote are added; and {@code relocated} (kept packs
     * holding another copy of a blob a dropped pack held) are added again, so that no blob a kept
     * pack holds is left without a row. So the catalog never names a pack the prune deletes.
     */
    public void replaceAfterPrune(Collection<Id> indexFiles, Collection<Id> dropped, List<IndexFile.PackRecord> added,
                                  List<IndexFile.PackRecord> relocated) {
        jdbi.useTransaction(h -> {
            h.execute("DELETE FROM index_files");
            var files = h.prepareBatch("INSERT INTO index_files (id) VALUES (:id) ON CONFLICT DO NOTHING");
            indexFiles.forEach(f -> files.bind("id", f.bytes()).add());
            if (!indexFiles.isEmpty()) {
                files.execute();
            }
            List<byte[]> gone = new ArrayList<>(dropped.size());
            dropped.forEach(p -> gone.add(p.bytes()));
            for (int from = 0; from < gone.size(); from += 1000) {
                h.createUpdate("DELETE FROM packs WHERE id IN (<ids>)")
                        .bindList("ids", gone.subList(from, Math.min(gone.size(), from + 1000))).execute();
            }
            insert(h, added);
            insert(h, relocated);
        });
    }

    @Override
    public Set<Id> packs() {
        return jdbi.withHandle(h -> new HashSet<>(h.createQuery("SELECT id FROM packs")
                .map((rs, ctx) -> Id.of(rs.getBytes(1))).list()));
    }

    @Override
    public Set<Id> indexFiles() {
        return jdbi.withHandle(h -> new HashSet<>(h.createQuery("SELECT id FROM index_files")
                .map((rs, ctx) -> Id.of(rs.getBytes(1))).list()));
    }

    @Override
    public void clear() {
        jdbi.useTransaction(h -> h.execute("TRUNCATE index_files, blobs, packs"));
    }

    @Override
    public void forEachPack(BiConsumer<Id, List<PackEntry>> each) {
        // In a transaction, so that PostgreSQL streams rows through a cursor in fetch-size steps.
        jdbi.useTransaction(h -> {
            Id[] current = {null};
            List<PackEntry> entries = new ArrayList<>();
            h.createQuery("SELECT pack, id, type, \"offset\", length, uncompressed_length FROM blobs ORDER BY pack, \"offset\"")
                    .setFetchSize(10_000)
                    .map((rs, ctx) -> {
                        Id pack = Id.of(rs.getBytes(1));
                        if (current[0] != null && !current[0].equals(pack)) {
                            each.accept(current[0], List.copyOf(entries));
                            entries.clear();
                        }
                        current[0] = pack;
                        entries.add(new PackEntry(Id.of(rs.getBytes(2)), BlobType.values()[rs.getInt(3)], rs.getInt(4), rs.getInt(5), rs.getInt(6)));
                        return pack;
                    })
                    .forEach(p -> { });
            if (current[0] != null) {
                each.accept(current[0], List.copyOf(entries));
            }
        });
    }
}
