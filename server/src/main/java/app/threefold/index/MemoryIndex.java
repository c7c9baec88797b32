package app.threefold.index;

import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.pack.PackEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * An index held in the heap, built from a repository's index files. Used where no catalog
 * exists: the command-line restore, check and snapshots on a bare copy. Thread-safe.
 */
public final class MemoryIndex implements BlobIndex {
    private final Map<Key, BlobLocation> blobs = new ConcurrentHashMap<>();
    private final Map<Id, List<PackEntry>> packs = new LinkedHashMap<>();
    private final Set<Id> files = new HashSet<>();

    private record Key(BlobType type, Id id) {
    }

    @Override
    public Optional<BlobLocation> find(BlobType type, Id blob) {
        return Optional.ofNullable(blobs.get(new Key(type, blob)));
    }

    @Override
    public Set<Id> known(BlobType type, Collection<Id> ids) {
        Set<Id> out = new HashSet<>();
        for (Id id : ids) {
            if (blobs.containsKey(new Key(type, id))) {
                out.add(id);
            }
        }
        return out;
    }

    @Override
    public synchronized void add(Id indexFile, List<IndexFile.PackRecord> records) {
        if (indexFile != null) {
            files.add(indexFile);
        }
        for (IndexFile.PackRecord record : records) {
            Id pack = record.pack();
            if (packs.putIfAbsent(pack, List.copyOf(record.blobs())) != null) {
                continue;
            }
            for (PackEntry e : record.blobs()) {
                blobs.putIfAbsent(new Key(e.type(), e.id()),
                        new BlobLocation(pack, e.type(), e.offset(), e.length(), e.uncompressedLength()));
            }
        }
    }

    @Override
    public synchronized Set<Id> packs() {
        return Set.copyOf(packs.keySet());
    }

    @Override
    public synchronized Set<Id> indexFiles() {
        return Set.copyOf(files);
    }

    @Override
    public synchronized void clear() {
        files.clear();
        packs.clear();
        blobs.clear();
    }

    @Override
    public synchronized void forEachPack(BiConsumer<Id, List<PackEntry>> each) {
        new ArrayList<>(packs.entrySet()).forEach(e -> each.accept(e.getKey(), e.getValue()));
    }
}
