package app.threefold.check;

import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.LocalBackend;
import app.threefold.format.FormatException;
import app.threefold.format.Id;
import app.threefold.pack.PackEntry;
import app.threefold.pack.PackHeader;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.repository.RepositoryLock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads every pack of one copy and verifies every blob in it: the pack's SHA-256 against its name,
 * its header, and each blob's MAC and the SHA-256 of its plaintext against its id. Reads go through
 * a {@link Pace}, so a copy's scrub can be held below its link's capacity. A damaged or missing pack
 * of the NAS's own repository can then be {@link #repair repaired} from another copy holding a good
 * one; what no copy had is named file by file through {@link Checker#affectedBy}.
 */
public final class Scrub {

    /** Holds reads to a rate (mirror's bandwidth limit); {@link #NONE} for no limit. */
    @FunctionalInterface
    public interface Pace {
        Pace NONE = bytes -> { };

        /** Blocks until {@code bytes} more may be read. */
        void take(long bytes) throws InterruptedIOException;
    }

    /** How far a scrub is. */
    public record Progress(long packs, long totalPacks, long bytes, long totalBytes) {
    }

    /**
     * A pack that is missing or fails a check, with the blobs it should hold and those of them that
     * cannot be read intact from it (all of them when it is missing or unreadable): only those are lost
     * if no copy has a good one.
     */
    public record DamagedPack(Id pack, String reason, List<PackEntry> blobs, Set<Id> lost) {
        public DamagedPack {
            blobs = List.copyOf(blobs);
            lost = Set.copyOf(lost);
        }

        DamagedPack(Id pack, String reason, List<PackEntry> blobs) {
            this(pack, reason, blobs, ids(blobs));
        }

        private static Set<Id> ids(List<PackEntry> blobs) {
            Set<Id> ids = new HashSet<>();
            blobs.forEach(b -> ids.add(b.id()));
            return ids;
        }
    }

    /** What a scrub read and found. */
    public record Report(int packs, long bytes, long blobs, List<DamagedPack> damaged) {
        public Report {
            damaged = List.copyOf(damaged);
        }

        public boolean clean() {
            return damaged.isEmpty();
        }
    }

    /** A copy a damaged pack may be fetched from: its name for the report, opened with this repository's key, read at its own pace. */
    public record Source(String name, Repository copy, Pace pace) {
    }

    /**
     * A pack put back in place, and the copy its good bytes came from; or, {@code unneeded} (and no
     * {@code from}), a pack no index names any more (a prune removed it after the scrub read it), which
     * is left gone: it was no damage.
     */
    public record Repaired(Id pack, String from, boolean unneeded) {
    }

    private final Repository repository;
    private final Pace pace;
    private final Clock clock;

    public Scrub(Repository repository, Pace pace, Clock clock) {
        this.repository = repository;
        this.pace = pace;
        this.clock = clock;
    }

    /**
     * Reads every pack the index names or the copy holds, one at a time, whole. A pack the index
     * names that is not there is damage too (its blobs are gone); a stored pack no index names is
     * checked against its own header.
     */
    public Report run(Consumer<Progress> progress) throws IOException {
        Map<Id, List<PackEntry>> indexed = new HashMap<>();
        repository.index().forEachPack(indexed::put);
        Map<Id, Long> stored = new HashMap<>();
        repository.backend().list(FileType.PACK, info -> stored.put(Id.parse(info.handle().name()), info.size()));
        Set<Id> all = new HashSet<>(indexed.keySet());
        all.addAll(stored.keySet());
        long totalBytes = stored.values().stream().mapToLong(Long::longValue).sum();
        List<DamagedPack> damaged = new ArrayList<>();
        long packs = 0;
        long bytes = 0;
        long blobs = 0;
        for (Id pack : all.stream().sorted().toList()) {
            List<PackEntry> entries = indexed.get(pack);
            Long size = stored.get(pack);
            if (size == null) {
                damaged.add(new DamagedPack(pack, "missing: the index names it but the copy does not hold it", entries));
            } else {
                pace.take(size);
                byte[] content;
                try (InputStream in = repository.backend().open(new Handle(FileType.PACK, pack.hex()), 0, 0)) {
                    content = in.readAllBytes();
                } catch (InterruptedIOException e) {
                    throw e;
                } catch (IOException e) {
                    content = null;
                    damaged.add(new DamagedPack(pack, "cannot be read: " + e.getMessage(), entries == null ? List.of() : entries));
                }
                if (content != null) {
                    bytes += content.length;
                    List<PackEntry> expected = entries;
                    if (expected == null) {
                        expected = header(pack, content).orElse(List.of());
                    }
                    Optional<String> fault = verify(repository, pack, content, expected);
                    if (fault.isPresent()) {
                        damaged.add(new DamagedPack(pack, fault.get(), expected, lost(pack, content, expected)));
                    } else {
                        blobs += expected.size();
                    }
                }
            }
            progress.accept(new Progress(++packs, all.size(), bytes, totalBytes));
        }
        return new Report(all.size(), bytes, blobs, damaged);
    }

    /** The blobs of a damaged pack that do not decode intact where the index has them. */
    private Set<Id> lost(Id pack, byte[] content, List<PackEntry> entries) {
        Set<Id> lost = new HashSet<>();
        for (PackEntry e : entries) {
            try {
                if ((long) e.offset() + e.length() > content.length) {
                    throw new FormatException("beyond the end");
                }
                repository.decodeBlob(e.id(), pack, content, e.offset(), e.length(), e.uncompressedLength());
            } catch (FormatException | UncheckedIOException ex) {
                lost.add(e.id());
            }
        }
        return lost;
    }

    private Optional<List<PackEntry>> header(Id pack, byte[] content) {
        try {
            return Optional.of(PackHeader.parse(content, content.length, repository.crypto(), pack));
        } catch (FormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Why {@code content} is not a good copy of {@code pack} holding {@code entries}, or empty if it
     * is: its SHA-256 must be its name, its header must list the entries where the index has them,
     * and every entry must decrypt (MAC), decompress and hash to its id.
     */
    static Optional<String> verify(Repository repository, Id pack, byte[] content, List<PackEntry> entries) {
        if (!Id.hash(content).equals(pack)) {
            return Optional.of("does not match its id (SHA-256): its bytes changed");
        }
        Map<Id, PackEntry> inHeader = new HashMap<>();
        try {
            for (PackEntry e : PackHeader.parse(content, content.length, repository.crypto(), pack)) {
                inHeader.put(e.id(), e);
            }
        } catch (FormatException e) {
            return Optional.of("its header is damaged: " + e.getMessage());
        }
        for (PackEntry e : entries) {
            PackEntry h = inHeader.get(e.id());
            if (h == null || h.offset() != e.offset() || h.length() != e.length()) {
                return Optional.of("blob " + e.id().shortHex() + " is not where the index says");
            }
            if ((long) e.offset() + e.length() > content.length) {
                return Optional.of("blob " + e.id().shortHex() + " lies beyond the end of the pack");
            }
            try {
                repository.decodeBlob(e.id(), pack, content, e.offset(), e.length(), e.uncompressedLength());
            } catch (FormatException | UncheckedIOException ex) {
                return Optional.of(ex.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Fetches {@code damaged} from the first of {@code sources} that holds a good copy of it,
     * verified by the pack's own hash and blob by blob against what this repository's index says it
     * holds, and puts it in place in {@code local} in one rename, under the repository's lock, unless
     * no index names it any more (a prune removed it meanwhile: {@link Repaired#unneeded}). Reads from a source go at its pace. Empty if no source had a good one; {@code attempts} collects why each one failed.
     */
    public Optional<Repaired> repair(LocalBackend local, DamagedPack damaged, List<Source> sources, List<String> attempts)
            throws InterruptedIOException {
        Handle handle = new Handle(FileType.PACK, damaged.pack().hex());
        for (Source source : sources) {
            byte[] content;
            try {
                long size = source.copy().backend().stat(handle);
                source.pace().take(size);
                try (InputStream in = source.copy().backend().open(handle, 0, 0)) {
                    content = in.readAllBytes();
                }
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                attempts.add(source.name() + ": " + e.getMessage());
                continue;
            }
            Optional<String> fault = verify(repository, damaged.pack(), content, damaged.blobs());
            if (fault.isPresent()) {
                attempts.add(source.name() + ": its copy " + fault.get());
                continue;
            }
            // A prune may have removed the pack since the scrub read it (it was unused), or be removing
            // it now: put back, it would be a pack no index names. The repository's lock (shared, as a
            // backup takes it) waits for a running prune and keeps the next one out until the pack is
            // in place; under it the index says whether anything still needs the pack.
            try (RepositoryLock lock = RepositoryLock.acquire(repository, false, clock)) {
                if (!repository.index().packs().contains(damaged.pack())) {
                    return Optional.of(new Repaired(damaged.pack(), null, true));
                }
                local.replace(handle, new ByteArrayInputStream(content), content.length);
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException | RepositoryException e) {
                attempts.add(source.name() + ": a good copy was fetched but could not be put in place: " + e.getMessage());
                continue;
            }
            return Optional.of(new Repaired(damaged.pack(), source.name(), false));
        }
        return Optional.empty();
    }
}
