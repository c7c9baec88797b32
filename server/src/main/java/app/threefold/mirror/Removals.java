package app.threefold.mirror;

import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.index.BlobIndex;
import app.threefold.index.BlobLocation;
import app.threefold.index.IndexFile;
import app.threefold.index.MemoryIndex;
import app.threefold.pack.PackEntry;
import app.threefold.repository.Repository;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a sync that makes a copy follow the local repository's deletions (forget, prune).
 * An object gone locally is removed from the target only once the target's delay has passed since
 * a sync first saw it gone, and only after the sync has put everything the local repository holds
 * on the target. Removals go in the reverse of the upload order — snapshots, index files, packs —
 * so that at every moment the copy names no data it lacks.
 *
 * <p>A copy never loses what a snapshot still on it needs: before packs go, the snapshots the copy
 * holds and the local repository does not are read from the copy with the repository's key, their
 * trees walked, and a pack holding a blob one of them needs (that no remaining pack holds too) is
 * kept, with the reason logged. Snapshots that are also local need no walk: their blobs are in
 * local packs, which are never removed and which the local index files (on the copy too) name.
 * An index file is removed only if every pack it names is removed too or named by an index file
 * that stays; a pack only if no index file that stays names it. Keys and the config are never removed.
 */
final class Removals {

    private static final Logger log = LoggerFactory.getLogger(Removals.class);
    /** At most this many reasons are kept in a sync's result; the log has them all. */
    private static final int MAX_NOTES = 5;

    /**
     * What this round did and what waits.
     *
     * @param removed      objects removed from the target
     * @param removedBytes their bytes
     * @param waiting      objects gone locally whose delay has not passed
     * @param nextRemoval  when the first of those may go, null if none waits
     * @param kept         objects due but kept because the copy still needs them (or could not be read)
     * @param notes        why, for people (the first few)
     */
    record Outcome(long removed, long removedBytes, long waiting, Instant nextRemoval, long kept, List<String> notes) {
        static final Outcome NONE = new Outcome(0, 0, 0, null, 0, List.of());
    }

    private final Backend source;
    private final Backend target;
    private final Ledger ledger;
    private final CopyReader reader;
    private final Duration delay;
    private final Clock clock;
    private final Retry retry;
    private final List<String> notes = new ArrayList<>();
    private long removed;
    private long removedBytes;

    Removals(Backend source, Backend target, Ledger ledger, CopyReader reader, Duration delay, Clock clock, Retry retry) {
        this.source = Objects.requireNonNull(source);
        this.target = Objects.requireNonNull(target);
        this.ledger = Objects.requireNonNull(ledger);
        this.reader = Objects.requireNonNull(reader);
        this.delay = Objects.requireNonNull(delay);
        this.clock = Objects.requireNonNull(clock);
        this.retry = Objects.requireNonNull(retry);
    }

    /**
     * Marks what is gone from {@code local} and removes from the target what is due.
     *
     * @param local every object of the local repository, all of them on the target by now
     */
    Outcome run(Set<Handle> local) throws IOException {
        Instant now = clock.instant();
        Map<Handle, Ledger.Gone> gone = ledger.markGone(local, now, delay);
        Map<Handle, Long> due = new LinkedHashMap<>();
        long waiting = 0;
        Instant next = null;
        for (Map.Entry<Handle, Ledger.Gone> e : gone.entrySet()) {
            Instant at = e.getValue().dueOn(delay);
            if (at.isAfter(now)) {
                waiting++;
                next = next == null || at.isBefore(next) ? at : next;
            } else {
                due.put(e.getKey(), e.getValue().size());
            }
        }
        if (due.isEmpty()) {
            return new Outcome(0, 0, waiting, next, 0, List.of());
        }
        Map<Handle, Long> snapshots = ofType(due, FileType.SNAPSHOT);
        Map<Handle, Long> indexes = ofType(due, FileType.INDEX);
        Map<Handle, Long> packs = ofType(due, FileType.PACK);
        Set<Handle> keepIndexes = new HashSet<>();
        Set<Handle> keepPacks = new HashSet<>();
        if (!indexes.isEmpty() || !packs.isEmpty()) {
            plan(snapshots.keySet(), indexes.keySet(), packs.keySet(), keepIndexes, keepPacks);
        }
        // A removal the target refuses (a key without delete rights, an object lock) keeps that
        // object, and whatever a kept snapshot or index file may need, instead of failing a sync
        // whose uploads all succeeded: the copy stays valid and the next sync tries again.
        Set<Handle> refused = new HashSet<>();
        for (Map.Entry<Handle, Long> s : snapshots.entrySet()) {
            tryRemove(s.getKey(), s.getValue(), refused);
        }
        if (!refused.isEmpty()) {
            keepAll("a snapshot file that was due stays, and what it needs is not walked", indexes.keySet(),
                    packs.keySet(), keepIndexes, keepPacks);
        }
        for (Map.Entry<Handle, Long> i : indexes.entrySet()) {
            if (!keepIndexes.contains(i.getKey())) {
                tryRemove(i.getKey(), i.getValue(), refused);
            }
        }
        if (refused.stream().anyMatch(h -> h.type() == FileType.INDEX)) {
            keepAll("an index file that was due stays, and it may name any of them", Set.of(), packs.keySet(),
                    keepIndexes, keepPacks);
        }
        for (Map.Entry<Handle, Long> p : packs.entrySet()) {
            if (!keepPacks.contains(p.getKey())) {
                tryRemove(p.getKey(), p.getValue(), refused);
            }
        }
        Set<Handle> stayed = new HashSet<>(refused);
        stayed.addAll(keepIndexes);
        stayed.addAll(keepPacks);
        long kept = stayed.size();
        if (kept > 0 && (next == null || now.isBefore(next))) {
            next = now; // due already, kept for the reasons noted: they go at the first sync that may let them
        }
        if (removed > 0) {
            log.info("Removed {} objects ({} bytes) from {} that the local repository no longer holds", removed,
                    removedBytes, target.location());
        }
        return new Outcome(removed, removedBytes, waiting + kept, next, kept,
                List.copyOf(notes.subList(0, Math.min(MAX_NOTES, notes.size()))));
    }

    private static Map<Handle, Long> ofType(Map<Handle, Long> due, FileType type) {
        Map<Handle, Long> out = new LinkedHashMap<>();
        due.forEach((h, size) -> {
            if (h.type() == type) {
                out.put(h, size);
            }
        });
        return out;
    }

    /**
     * Decides which due index files and packs must stay: those a snapshot remaining on the copy
     * needs, and those whose going would leave an index naming a missing pack, or a kept pack
     * that no index names.
     */
    private void plan(Set<Handle> goingSnapshots, Set<Handle> dueIndexes, Set<Handle> duePacks,
                      Set<Handle> keepIndexes, Set<Handle> keepPacks) throws IOException {
        PerFileIndex index = new PerFileIndex();
        Repository copy;
        try {
            copy = reader.open(target, index);
        } catch (RuntimeException e) {
            keepAll("the copy cannot be read with the repository's key (" + e.getMessage() + ")", dueIndexes, duePacks,
                    keepIndexes, keepPacks);
            return;
        }
        Set<Id> going = new HashSet<>();
        duePacks.forEach(h -> going.add(Id.parse(h.name())));
        // Blobs only due packs hold are at risk; a blob also in a pack that stays is safe wherever else it is.
        Map<BlobKey, List<Id>> atRisk = new HashMap<>();
        index.forEachPack((pack, entries) -> {
            if (going.contains(pack)) {
                for (PackEntry e : entries) {
                    atRisk.computeIfAbsent(new BlobKey(e.type(), e.id()), k -> new ArrayList<>(1)).add(pack);
                }
            }
        });
        // "A pack that stays holds this blob too" must be true of the copy itself, not of the ledger,
        // which trusts what earlier syncs saw (a pack deleted by hand since would still be in it).
        Set<Id> present = new HashSet<>();
        Sync.retrying(retry, target.location(), "listing the packs of", () -> {
            present.clear();
            target.list(FileType.PACK, info -> present.add(Id.parse(info.handle().name())));
            return null;
        });
        index.forEachPack((pack, entries) -> {
            if (!going.contains(pack) && present.contains(pack)) {
                for (PackEntry e : entries) {
                    atRisk.remove(new BlobKey(e.type(), e.id()));
                }
            }
        });

        // Listed again now, not taken from the sync's first listing: a snapshot forgotten on the NAS
        // while this sync ran may be in that listing while the packs it needs, pruned right after, are
        // not. Forget removes the snapshot before prune removes packs, so a listing taken after the
        // packs were found gone no longer holds it, and it is walked below like any copy-only snapshot.
        Set<Handle> localSnapshots = new HashSet<>();
        source.list(FileType.SNAPSHOT, info -> localSnapshots.add(info.handle()));
        List<Handle> copyOnly = new ArrayList<>();
        Sync.retrying(retry, target.location(), "listing the snapshots of", () -> {
            copyOnly.clear();
            target.list(FileType.SNAPSHOT, info -> {
                if (!localSnapshots.contains(info.handle()) && !goingSnapshots.contains(info.handle())) {
                    copyOnly.add(info.handle());
                }
            });
            return null;
        });
        if (!atRisk.isEmpty() && !copyOnly.isEmpty()) {
            try {
                neededBy(copy, copyOnly, atRisk, keepPacks);
            } catch (IOException | RuntimeException e) {
                // A pack or file missing on the copy is no passing trouble: what the snapshot needs is
                // unknown, so everything due stays. Only a failing connection ends the sync, to retry.
                if (e instanceof IOException io && !(io instanceof app.threefold.backend.NoSuchObjectException)
                        && Sync.transientFailure(io)) {
                    throw io;
                }
                keepAll("a snapshot on the copy cannot be read (" + e.getMessage() + "), so what it needs is unknown",
                        dueIndexes, duePacks, keepIndexes, keepPacks);
            }
        }
        keepIndexed(index, dueIndexes, duePacks, present, keepIndexes, keepPacks);
    }

    /** Walks the trees of {@code snapshots} on the copy; a due pack holding a blob they need is kept. */
    private void neededBy(Repository copy, List<Handle> snapshots, Map<BlobKey, List<Id>> atRisk, Set<Handle> keepPacks)
            throws IOException {
        Snapshots reading = new Snapshots(copy);
        Set<Id> seenTrees = new HashSet<>();
        for (Handle handle : snapshots) {
            Snapshot snapshot = reading.load(Id.parse(handle.name()));
            Deque<Id> trees = new ArrayDeque<>();
            trees.push(snapshot.tree());
            while (!trees.isEmpty()) {
                Id tree = trees.pop();
                if (!seenTrees.add(tree)) {
                    continue;
                }
                need(new BlobKey(BlobType.TREE, tree), atRisk, snapshot, keepPacks);
                for (Node node : TreeCodec.decode(copy.loadBlob(BlobType.TREE, tree))) {
                    if (node.isDir() && node.subtree() != null) {
                        trees.push(node.subtree());
                    } else if (node.content() != null) {
                        for (Id blob : node.content()) {
                            need(new BlobKey(BlobType.DATA, blob), atRisk, snapshot, keepPacks);
                        }
                    }
                }
            }
        }
    }

    private void need(BlobKey blob, Map<BlobKey, List<Id>> atRisk, Snapshot snapshot, Set<Handle> keepPacks) {
        List<Id> packs = atRisk.get(blob);
        if (packs == null) {
            return;
        }
        for (Id pack : packs) {
            if (keepPacks.add(new Handle(FileType.PACK, pack.hex()))) {
                note("pack " + pack.shortHex() + " stays on the copy: snapshot " + snapshot.id().shortHex() + " of "
                        + snapshot.hostname() + " (" + snapshot.time() + "), still on the copy, needs its "
                        + blob.type().json() + " blob " + blob.id().shortHex());
            }
        }
    }

    /**
     * Keeps the index consistent with the packs that stay: an index file that names a pack which
     * stays and no other staying index names, stays; a pack that a staying index names, stays.
     * Repeated until nothing changes (each step only keeps more).
     */
    private void keepIndexed(PerFileIndex index, Set<Handle> dueIndexes, Set<Handle> duePacks, Set<Id> present,
                             Set<Handle> keepIndexes, Set<Handle> keepPacks) {
        Map<Id, Set<Id>> packsOf = index.packsByFile();
        Set<Id> goingIndexes = new HashSet<>();
        dueIndexes.forEach(h -> goingIndexes.add(Id.parse(h.name())));
        Set<Id> goingPacks = new HashSet<>();
        duePacks.forEach(h -> goingPacks.add(Id.parse(h.name())));
        goingPacks.removeIf(p -> keepPacks.contains(new Handle(FileType.PACK, p.hex())));
        for (boolean changed = true; changed; ) {
            changed = false;
            Set<Id> namedByStaying = new HashSet<>();
            packsOf.forEach((file, packs) -> {
                if (!goingIndexes.contains(file)) {
                    namedByStaying.addAll(packs);
                }
            });
            for (Id pack : List.copyOf(goingPacks)) {
                if (namedByStaying.contains(pack)) {
                    goingPacks.remove(pack);
                    keepPacks.add(new Handle(FileType.PACK, pack.hex()));
                    note("pack " + pack.shortHex() + " stays on the copy: an index file that stays names it");
                    changed = true;
                }
            }
            for (Id file : List.copyOf(goingIndexes)) {
                Set<Id> packs = packsOf.getOrDefault(file, Set.of());
                Optional<Id> orphan = packs.stream()
                        .filter(p -> present.contains(p) && !goingPacks.contains(p) && !namedByStaying.contains(p))
                        .findFirst();
                if (orphan.isPresent()) {
                    goingIndexes.remove(file);
                    keepIndexes.add(new Handle(FileType.INDEX, file.hex()));
                    note("index file " + file.shortHex() + " stays on the copy: it alone names pack "
                            + orphan.get().shortHex() + ", which stays");
                    changed = true;
                }
            }
        }
    }

    private void keepAll(String why, Set<Handle> indexes, Set<Handle> packs, Set<Handle> keepIndexes,
                         Set<Handle> keepPacks) {
        keepIndexes.addAll(indexes);
        keepPacks.addAll(packs);
        note("no pack or index file is removed from the copy: " + why);
    }

    private void note(String why) {
        log.warn("{}: {}", target.location(), why);
        notes.add(why);
    }

    /** Removes one object; if the target refuses, notes why and adds it to {@code refused}. A stopped sync stops. */
    private void tryRemove(Handle handle, long size, Set<Handle> refused) throws IOException {
        try {
            remove(handle, size);
        } catch (java.io.InterruptedIOException e) {
            if (!(e instanceof java.net.SocketTimeoutException)) {
                throw e;
            }
            refuse(handle, e, refused);
        } catch (IOException e) {
            refuse(handle, e, refused);
        }
    }

    private void refuse(Handle handle, IOException e, Set<Handle> refused) {
        refused.add(handle);
        note(handle.path() + " could not be removed from the copy (" + e.getMessage()
                + "); it stays, and the next sync tries again. Give the copy's key the right to delete, or lift"
                + " the object lock, for the copy to follow the NAS's deletions");
    }

    private void remove(Handle handle, long size) throws IOException {
        Sync.retrying(retry, target.location(), "removing " + handle.path() + " from", () -> {
            target.remove(handle);
            return null;
        });
        ledger.forget(handle);
        removed++;
        removedBytes += size;
    }

    private record BlobKey(BlobType type, Id id) {
    }

    /** The copy's index in memory, remembering which packs each index file names. */
    private static final class PerFileIndex implements BlobIndex {
        private final MemoryIndex blobs = new MemoryIndex();
        private final Map<Id, Set<Id>> packsByFile = new ConcurrentHashMap<>();

        @Override
        public Optional<BlobLocation> find(BlobType type, Id blob) {
            return blobs.find(type, blob);
        }

        @Override
        public Set<Id> known(BlobType type, Collection<Id> ids) {
            return blobs.known(type, ids);
        }

        @Override
        public void add(Id indexFile, List<IndexFile.PackRecord> packs) {
            if (indexFile != null) {
                Set<Id> named = packsByFile.computeIfAbsent(indexFile, f -> ConcurrentHashMap.newKeySet());
                packs.forEach(p -> named.add(p.pack()));
            }
            blobs.add(indexFile, packs);
        }

        @Override
        public Set<Id> packs() {
            return blobs.packs();
        }

        @Override
        public Set<Id> indexFiles() {
            return blobs.indexFiles();
        }

        @Override
        public void clear() {
            packsByFile.clear();
            blobs.clear();
        }

        @Override
        public void forEachPack(BiConsumer<Id, List<PackEntry>> each) {
            blobs.forEachPack(each);
        }

        Map<Id, Set<Id>> packsByFile() {
            return packsByFile;
        }
    }
}
