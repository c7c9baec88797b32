package app.threefold.index;

import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.pack.PackEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jdbi.v3.core.Jdbi;

/**
 * The blob index in the catalog (tables {@code packs} and {@code blobs}), so that its size is
 * PostgreSQL's concern, not the heap's. Look-ups go to the database in batches.
 */
public final class CatalogIndex implements BlobIndex {
    private final Jdbi jdbi;

    public CatalogIndex(Jdbi jdbi) {
        this.jdbi = jdbi;
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
    public void addPack(Id pack, long packSize, List<PackEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        jdbi.useTransaction(h -> {
            int inserted = h.createUpdate("INSERT INTO packs (id, type, size) VALUES (:id, :type, :size) ON CONFLICT DO NOTHING")
                    .bind("id", pack.bytes())
                    .bind("type", entries.get(0).type().ordinal())
                    .bind("size", packSize)
                    .execute();
            if (inserted == 0) {
                return;
            }
            var batch = h.prepareBatch("INSERT INTO blobs (id, type, pack, \"offset\", length, uncompressed_length) "
                    + "VALUES (:id, :type, :pack, :offset, :length, :ulen) ON CONFLICT DO NOTHING");
            byte[] packBytes = pack.bytes();
            for (PackEntry e : entries) {
                batch.bind("id", e.id().bytes()).bind("type", e.type().ordinal()).bind("pack", packBytes)
                        .bind("offset", e.offset()).bind("length", e.length()).bind("ulen", e.uncompressedLength()).add();
            }
            batch.execute();
        });
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

    @Override
    public Map<BlobType, Long> counts() {
        Map<BlobType, Long> counts = new EnumMap<>(BlobType.class);
        jdbi.useHandle(h -> h.createQuery("SELECT type, count(*) FROM blobs GROUP BY type")
                .map((rs, ctx) -> Map.entry(BlobType.values()[rs.getInt(1)], rs.getLong(2)))
                .forEach(e -> counts.put(e.getKey(), e.getValue())));
        return counts;
    }

    /** Whether the catalog holds no index yet: a copy opened for the first time must be indexed. */
    public boolean isEmpty() {
        return jdbi.withHandle(h -> h.createQuery("SELECT NOT EXISTS (SELECT 1 FROM packs)").mapTo(Boolean.class).one());
    }
}
