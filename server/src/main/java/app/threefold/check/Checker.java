package app.threefold.check;

import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.BlobType;
import app.threefold.format.FormatException;
import app.threefold.format.Id;
import app.threefold.pack.PackEntry;
import app.threefold.pack.PackHeader;
import app.threefold.repository.Repository;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import app.threefold.tree.TreeWalk;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Checks a repository as restic's {@code check} does: every snapshot's trees and blobs are in
 * the index and the packs exist; with {@code readData}, every pack is read, its id and header
 * verified and every blob decrypted and hashed. Damage is traced to the snapshots and files it
 * affects, so a person knows what is lost.
 */
public final class Checker {
    private final Repository repository;
    private final ExecutorService workers;

    public Checker(Repository repository, ExecutorService workers) {
        this.repository = repository;
        this.workers = workers;
    }

    /** A file or folder of a snapshot that cannot be restored intact. */
    public record Affected(Id snapshot, String hostname, String path, String reason) {
    }

    /** The outcome; the repository is healthy when {@code errors} is empty. */
    public record Report(int snapshots, int packs, long blobsRead, List<String> errors, List<String> warnings, List<Affected> affected) {
        public boolean healthy() {
            return errors.isEmpty();
        }
    }

    public Report check(boolean readData) throws IOException {
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        List<String> warnings = new ArrayList<>();

        Map<Id, List<PackEntry>> indexed = new HashMap<>();
        repository.index().forEachPack(indexed::put);
        Map<Id, Long> stored = new HashMap<>();
        repository.backend().list(FileType.PACK, info -> stored.put(Id.parse(info.handle().name()), info.size()));
        for (Id pack : indexed.keySet()) {
            if (!stored.containsKey(pack)) {
                errors.add("pack " + pack.shortHex() + " is named by the index but missing from the repository");
            }
        }
        for (Id pack : stored.keySet()) {
            if (!indexed.containsKey(pack)) {
                warnings.add("pack " + pack.shortHex() + " is not referenced by any index file; `threefold recover` or a backup will index it");
            }
        }

        Set<Id> badBlobs = ConcurrentHashMap.newKeySet();
        long[] blobsRead = {0};
        if (readData) {
            List<CompletableFuture<Long>> reads = new ArrayList<>();
            for (var e : indexed.entrySet()) {
                if (!stored.containsKey(e.getKey())) {
                    e.getValue().forEach(b -> badBlobs.add(b.id()));
                    continue;
                }
                Id pack = e.getKey();
                List<PackEntry> entries = e.getValue();
                long size = stored.get(pack);
                reads.add(CompletableFuture.supplyAsync(() -> readPack(pack, size, entries, errors, badBlobs), workers));
            }
            for (CompletableFuture<Long> r : reads) {
                blobsRead[0] += r.join();
            }
        } else {
            for (var e : indexed.entrySet()) {
                if (!stored.containsKey(e.getKey())) {
                    e.getValue().forEach(b -> badBlobs.add(b.id()));
                }
            }
        }

        Walked walked = affected(badBlobs, errors);
        return new Report(walked.snapshots(), indexed.size(), blobsRead[0], List.copyOf(errors), warnings, walked.affected());
    }

    /**
     * The files and folders of every snapshot that cannot be restored intact while {@code badBlobs}
     * are damaged or missing (what a scrub reports when no copy could repair a pack). Snapshots
     * oldest first; each file is named once per snapshot.
     */
    public List<Affected> affectedBy(Set<Id> badBlobs) throws IOException {
        return affected(badBlobs, Collections.synchronizedList(new ArrayList<>())).affected();
    }

    private record Walked(int snapshots, List<Affected> affected) {
    }

    private Walked affected(Set<Id> badBlobs, List<String> errors) throws IOException {
        // Each snapshot file from disk, as it is now: a check must not trust what was read earlier.
        Snapshots all = new Snapshots(repository);
        List<Snapshot> snapshots = new ArrayList<>();
        for (Id id : repository.list(FileType.SNAPSHOT)) {
            try {
                snapshots.add(all.load(id));
            } catch (FormatException e) {
                errors.add("snapshot " + id.shortHex() + " cannot be read: " + e.getMessage());
            }
        }
        snapshots.sort(java.util.Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id));
        List<Affected> affected = new ArrayList<>();
        Set<Id> visited = new HashSet<>();
        for (Snapshot s : snapshots) {
            walk(s, s.tree(), visited, badBlobs, errors, affected);
        }
        return new Walked(snapshots.size(), affected);
    }

    private long readPack(Id pack, long size, List<PackEntry> entries, List<String> errors, Set<Id> badBlobs) {
        byte[] bytes;
        try (InputStream in = repository.backend().open(new Handle(FileType.PACK, pack.hex()), 0, 0)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            errors.add("pack " + pack.shortHex() + " cannot be read: " + e.getMessage());
            entries.forEach(b -> badBlobs.add(b.id()));
            return 0;
        }
        if (bytes.length != size || !Id.hash(bytes).equals(pack)) {
            errors.add("pack " + pack.shortHex() + " does not match its id (SHA-256): it is damaged");
        }
        Map<Id, PackEntry> inHeader = new HashMap<>();
        try {
            for (PackEntry e : PackHeader.parse(bytes, bytes.length, repository.crypto(), pack)) {
                inHeader.put(e.id(), e);
            }
        } catch (FormatException e) {
            errors.add(e.getMessage());
        }
        long read = 0;
        for (PackEntry e : entries) {
            PackEntry h = inHeader.get(e.id());
            if (!inHeader.isEmpty() && (h == null || h.offset() != e.offset() || h.length() != e.length())) {
                errors.add("pack " + pack.shortHex() + ": blob " + e.id().shortHex() + " is not where the index says");
            }
            try {
                if ((long) e.offset() + e.length() > bytes.length) {
                    throw new FormatException("blob " + e.id().shortHex() + " lies beyond the end of pack " + pack.shortHex());
                }
                repository.decodeBlob(e.id(), pack, bytes, e.offset(), e.length(), e.uncompressedLength());
                read++;
            } catch (FormatException | UncheckedIOException ex) {
                errors.add(ex.getMessage());
                badBlobs.add(e.id());
            }
        }
        return read;
    }

    /** Checks every entry of a snapshot's trees (see {@link TreeWalk}). */
    private void walk(Snapshot s, Id root, Set<Id> visited, Set<Id> badBlobs, List<String> errors, List<Affected> affected) {
        try {
            TreeWalk.walk(root, "", (tree, path) -> open(s, tree, path, visited, badBlobs, errors, affected), (p, n) -> {
                if (n.isDir() && n.subtree() == null) {
                    errors.add("snapshot " + s.id().shortHex() + " " + p + ": folder without a subtree");
                } else if (n.isFile()) {
                    for (Id blob : n.content()) {
                        if (badBlobs.contains(blob)) {
                            affected.add(new Affected(s.id(), s.hostname(), p, "data blob " + blob.shortHex() + " is damaged"));
                            break;
                        }
                        if (repository.locate(BlobType.DATA, blob).isEmpty()) {
                            errors.add("snapshot " + s.id().shortHex() + " " + p + ": data blob " + blob.shortHex() + " is not in the index");
                            affected.add(new Affected(s.id(), s.hostname(), p, "data blob " + blob.shortHex() + " is missing"));
                            break;
                        }
                    }
                }
                return true;
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e); // open() reports every read failure itself and throws none
        }
    }

    /** A folder's entries, or null if it was checked already or is damaged (reported). */
    private List<Node> open(Snapshot s, Id tree, String path, Set<Id> visited, Set<Id> badBlobs, List<String> errors,
                            List<Affected> affected) {
        // Unchanged subtrees are shared between snapshots; checking one once is enough unless
        // damage was found, when each snapshot's paths must be named.
        if (badBlobs.isEmpty() && !visited.add(tree)) {
            return null;
        }
        try {
            if (repository.locate(BlobType.TREE, tree).isEmpty()) {
                throw new FormatException("tree " + tree.shortHex() + " is not in the index");
            }
            return TreeCodec.decode(repository.loadBlob(BlobType.TREE, tree));
        } catch (IOException | FormatException | UncheckedIOException e) {
            String where = path.isEmpty() ? "/" : path;
            errors.add("snapshot " + s.id().shortHex() + " " + where + ": " + e.getMessage());
            affected.add(new Affected(s.id(), s.hostname(), where, "folder listing is damaged"));
            return null;
        }
    }
}
