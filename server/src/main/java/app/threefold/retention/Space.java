package app.threefold.retention;

import app.threefold.ThreefoldException;
import app.threefold.engine.Engine;
import app.threefold.format.BlobType;
import app.threefold.format.Id;
import app.threefold.index.BlobLocation;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.snapshot.Snapshot;
import app.threefold.tree.TreeCodec;
import app.threefold.tree.TreeWalk;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the disk goes: each hostname's unique data (what forgetting all its snapshots and a prune
 * would free) and the data it shares with others, from a walk of every snapshot's trees; and the
 * disk's free space with a forecast of when it fills at the rate the repository grew lately.
 * Owner of {@code hostname_space} (the last walk's answer, so pages stay fast) and
 * {@code stored_bytes_history} (one sample a day).
 */
public final class Space {
    private static final Logger log = LoggerFactory.getLogger(Space.class);
    /** The forecast's window: the growth of the last 30 days, not of the first backup. */
    static final int WINDOW_DAYS = 30;

    private final Jdbi jdbi;
    private final Supplier<Optional<Engine>> engine;
    private final Path disk;
    private final Clock clock;
    private final AtomicBoolean counting = new AtomicBoolean();
    /** When the last count ended here, also one that found no snapshots (then no row says so). */
    private final java.util.concurrent.atomic.AtomicReference<Instant> lastCount = new java.util.concurrent.atomic.AtomicReference<>();
    /**
     * Counts run on a thread of their own at the lowest priority, not on the engine's store workers:
     * a walk of every snapshot must not hold up backups. One at a time; idle, the thread ends.
     */
    private final java.util.concurrent.ThreadPoolExecutor counter = new java.util.concurrent.ThreadPoolExecutor(0, 1,
            30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "space-count");
                t.setDaemon(true);
                t.setPriority(Thread.MIN_PRIORITY);
                return t;
            });

    /** @param disk a folder on the disk that holds the repository (its free space is what fills) */
    public Space(Jdbi jdbi, Supplier<Optional<Engine>> engine, Path disk, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.engine = Objects.requireNonNull(engine);
        this.disk = Objects.requireNonNull(disk);
        this.clock = Objects.requireNonNull(clock);
    }

    /** One hostname's share of the repository, as the last count found it (packed bytes). */
    public record HostSpace(String hostname, long uniqueBytes, long sharedBytes, int snapshots, Instant counted) {
    }

    /**
     * The disk: free and total bytes, what the repository stores, how fast it grew per day over the
     * last {@value #WINDOW_DAYS} days (empty with fewer than two days of samples), and the day the
     * disk fills at that rate (empty if it does not grow).
     */
    public record Disk(long freeBytes, long totalBytes, long storedBytes, Optional<Long> bytesPerDay, Optional<LocalDate> fullOn) {
    }

    /** Records today's stored bytes (the latest call of a day wins). */
    public void sample() {
        engine.get().ifPresent(e -> {
            long bytes = e.storedBytes();
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            jdbi.useHandle(h -> h.createUpdate("""
                            INSERT INTO stored_bytes_history (day, bytes) VALUES (:d, :b)
                            ON CONFLICT (day) DO UPDATE SET bytes = :b""")
                    .bind("d", today).bind("b", bytes).execute());
        });
    }

    public Disk disk() {
        long stored = engine.get().map(Engine::storedBytes).orElse(0L);
        long free;
        long total;
        try {
            FileStore store = Files.getFileStore(disk);
            free = store.getUsableSpace();
            total = store.getTotalSpace();
        } catch (IOException e) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "the free space of " + disk
                    + " cannot be read: " + e.getMessage() + "; check that the disk is mounted", e);
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        record Sample(LocalDate day, long bytes) {
        }
        List<Sample> samples = jdbi.withHandle(h -> h.createQuery(
                        "SELECT day, bytes FROM stored_bytes_history WHERE day >= :from ORDER BY day")
                .bind("from", today.minusDays(WINDOW_DAYS))
                .map((rs, ctx) -> new Sample(rs.getObject("day", LocalDate.class), rs.getLong("bytes"))).list());
        Optional<Long> perDay = Optional.empty();
        Optional<LocalDate> fullOn = Optional.empty();
        if (samples.size() >= 2) {
            Sample first = samples.get(0);
            Sample last = samples.get(samples.size() - 1);
            long days = ChronoUnit.DAYS.between(first.day(), last.day());
            long rate = (last.bytes() - first.bytes()) / Math.max(1, days);
            perDay = Optional.of(rate);
            if (rate > 0) {
                fullOn = Optional.of(today.plusDays(free / rate));
            }
        }
        return new Disk(free, total, stored, perDay, fullOn);
    }

    /** The last count, by hostname (empty before the first). */
    public Map<String, HostSpace> counted() {
        Map<String, HostSpace> out = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT * FROM hostname_space ORDER BY hostname")
                .map((rs, ctx) -> new HostSpace(rs.getString("hostname"), rs.getLong("unique_bytes"), rs.getLong("shared_bytes"),
                        rs.getInt("snapshots"), rs.getTimestamp("computed").toInstant()))
                .forEach(s -> out.put(s.hostname(), s)));
        return out;
    }

    /** Whether a count runs now. */
    public boolean counting() {
        return counting.get();
    }

    /** When the last count ended: this process's last one, else the stored answer's time; empty before the first. */
    public Optional<Instant> lastCount() {
        Instant here = lastCount.get();
        if (here != null) {
            return Optional.of(here);
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT max(computed) FROM hostname_space")
                .map((rs, ctx) -> Optional.ofNullable(rs.getTimestamp(1)).map(java.sql.Timestamp::toInstant)).one());
    }

    /**
     * Whether {@code hostname}'s figures are missing or a day old. A hostname without snapshots has
     * no row after a count: then the last count's time stands for it, unless a snapshot came since.
     */
    public boolean needsCount(String hostname) {
        Instant dayAgo = clock.instant().minus(java.time.Duration.ofDays(1));
        HostSpace mine = counted().get(hostname);
        if (mine != null) {
            return mine.counted().isBefore(dayAgo);
        }
        Instant last = lastCount().orElse(null);
        if (last == null || last.isBefore(dayAgo)) {
            return true;
        }
        Optional<Instant> newest = engine.get().flatMap(e -> e.catalogSnapshots().latestTime(hostname));
        return newest.isPresent() && newest.get().isAfter(last);
    }

    /** Starts a count on its own low-priority thread unless one runs; the page shows the last one meanwhile. */
    public void countInBackground() {
        Engine e = engine.get().orElse(null);
        if (e == null || !counting.compareAndSet(false, true)) {
            return;
        }
        counter.execute(() -> {
            try {
                count();
            } catch (IOException | RuntimeException ex) {
                log.warn("counting each device's unique and shared data failed: {}", ex.toString());
            } finally {
                counting.set(false);
            }
        });
    }

    /**
     * Walks every snapshot's trees and counts, for each hostname, the packed bytes of the blobs only
     * its snapshots reach (unique) and of those others reach too (shared), then stores the answer.
     * Holds one entry per distinct blob in memory while it runs.
     */
    public List<HostSpace> count() throws IOException {
        Engine e = engine.get().orElseThrow(() -> new RepositoryException(ThreefoldException.Kind.UNAVAILABLE,
                "there is no repository yet; finish the setup wizard first"));
        Repository repo = e.repository();
        List<String> hosts = new ArrayList<>();
        Map<String, Integer> hostIndex = new HashMap<>();
        Map<String, Integer> snapshotCounts = new HashMap<>();
        // Which hostname reaches each blob; SHARED once a second one does.
        Map<Id, Integer> owner = new HashMap<>();
        Map<Id, BlobType> types = new HashMap<>();
        // A tree a hostname has walked already adds nothing new for it: skip it (unchanged folders,
        // the same folder in the next snapshot). One set per hostname, kept across its snapshots.
        Map<Integer, Set<Id>> walkedByHost = new HashMap<>();
        for (Snapshot s : e.snapshots().list(null)) {
            int host = hostIndex.computeIfAbsent(s.hostname(), n -> {
                hosts.add(n);
                return hosts.size() - 1;
            });
            snapshotCounts.merge(s.hostname(), 1, Integer::sum);
            Set<Id> walked = walkedByHost.computeIfAbsent(host, h -> new HashSet<>());
            reach(owner, types, s.tree(), BlobType.TREE, host);
            TreeWalk.walk(s.tree(), "", (tree, path) -> walked.add(tree) ? TreeCodec.decode(repo.loadBlob(BlobType.TREE, tree)) : null,
                    (path, n) -> {
                        if (n.isDir() && n.subtree() != null) {
                            reach(owner, types, n.subtree(), BlobType.TREE, host);
                        } else if (n.isFile() && n.content() != null) {
                            for (Id blob : n.content()) {
                                reach(owner, types, blob, BlobType.DATA, host);
                            }
                        }
                        return true;
                    });
        }
        long[] unique = new long[hosts.size()];
        long sharedTotal = 0;
        Map<Integer, Long> sharedByHost = new HashMap<>();
        // Shared blobs are charged to every hostname that reaches them: a second pass knows which.
        Map<Id, Long> sharedSizes = new HashMap<>();
        for (Map.Entry<Id, Integer> o : owner.entrySet()) {
            long size = repo.locate(types.get(o.getKey()), o.getKey()).map(BlobLocation::length).orElse(0);
            if (o.getValue() == SHARED) {
                sharedSizes.put(o.getKey(), size);
                sharedTotal += size;
            } else {
                unique[o.getValue()] += size;
            }
        }
        if (!sharedSizes.isEmpty()) {
            Map<Integer, Set<Id>> seenByHost = new HashMap<>();
            walkedByHost.clear();
            for (Snapshot s : e.snapshots().list(null)) {
                int host = hostIndex.get(s.hostname());
                Set<Id> seen = seenByHost.computeIfAbsent(host, h -> new HashSet<>());
                Set<Id> walked = walkedByHost.computeIfAbsent(host, h -> new HashSet<>());
                chargeShared(s.tree(), sharedSizes, seen, sharedByHost, host);
                TreeWalk.walk(s.tree(), "", (tree, path) -> walked.add(tree) ? TreeCodec.decode(repo.loadBlob(BlobType.TREE, tree)) : null,
                        (path, n) -> {
                            if (n.isDir() && n.subtree() != null) {
                                chargeShared(n.subtree(), sharedSizes, seen, sharedByHost, host);
                            } else if (n.isFile() && n.content() != null) {
                                for (Id blob : n.content()) {
                                    chargeShared(blob, sharedSizes, seen, sharedByHost, host);
                                }
                            }
                            return true;
                        });
            }
        }
        Instant now = clock.instant();
        List<HostSpace> out = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            out.add(new HostSpace(hosts.get(i), unique[i], sharedByHost.getOrDefault(i, 0L), snapshotCounts.get(hosts.get(i)), now));
        }
        jdbi.useTransaction(h -> {
            h.execute("DELETE FROM hostname_space");
            for (HostSpace s : out) {
                h.createUpdate("""
                                INSERT INTO hostname_space (hostname, unique_bytes, shared_bytes, snapshots, computed)
                                VALUES (:h, :u, :s, :n, :t)""")
                        .bind("h", s.hostname()).bind("u", s.uniqueBytes()).bind("s", s.sharedBytes())
                        .bind("n", s.snapshots()).bind("t", now).execute();
            }
        });
        lastCount.set(now);
        log.info("counted the unique and shared data of {} hostnames ({} distinct blobs, {} bytes shared)", hosts.size(),
                owner.size(), sharedTotal);
        return out;
    }

    private static final int SHARED = -1;

    private static void reach(Map<Id, Integer> owner, Map<Id, BlobType> types, Id blob, BlobType type, int host) {
        Integer was = owner.putIfAbsent(blob, host);
        if (was == null) {
            types.put(blob, type);
        } else if (was != host && was != SHARED) {
            owner.put(blob, SHARED);
        }
    }

    private static void chargeShared(Id blob, Map<Id, Long> sharedSizes, Set<Id> seen, Map<Integer, Long> sharedByHost, int host) {
        Long size = sharedSizes.get(blob);
        if (size != null && seen.add(blob)) {
            sharedByHost.merge(host, size, Long::sum);
        }
    }
}
