package app.threefold.repository;

import app.threefold.ThreefoldException;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.Id;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock file in {@code locks/}, as restic writes and honours them: a backup holds a
 * non-exclusive lock so that {@code restic prune} waits; maintenance takes an exclusive one.
 * Like restic, a holder refreshes its lock every five minutes by writing a new file and removing
 * the old one, and removes it on {@link #close}.
 *
 * <p>restic's rule for stale locks: older than 30 minutes, or written on this host by a process
 * that no longer exists. A process killed with SIGKILL leaves its lock behind, and restic's
 * exclusive commands ({@code check}, {@code prune}) refuse to run while it is there, so
 * {@link #removeDead} removes the locks whose writer is certainly gone (see {@link #dead}); a live
 * lock of another process, such as a {@code restic backup} the user runs, is never removed.
 */
public final class RepositoryLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RepositoryLock.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration STALE = Duration.ofMinutes(30);
    /**
     * Beyond restic's fields: the lock was written by Threefold, which refreshes it. restic ignores
     * fields it does not know.
     */
    static final String WRITTEN_BY_THREEFOLD = "threefold";
    /**
     * A process start time is derived from the boot time in whole seconds, so it may read up to a
     * second early; a lock written within this much after it is taken for that process's own.
     */
    private static final Duration START_TIME_SLACK = Duration.ofSeconds(2);

    /**
     * When a lock is rewritten, and how often its holder looks at the clock to see whether that is
     * due. The wall clock decides, not a timer: a timer stands still while the machine sleeps,
     * and after a long suspend the lock would look stale to others until the timer's next turn.
     */
    record Timing(Duration refreshAfter, Duration checkEvery) {
        static final Timing DEFAULT = new Timing(Duration.ofMinutes(5), Duration.ofSeconds(30));
    }

    private final Repository repository;
    private final boolean exclusive;
    private final Clock clock;
    private final Timing timing;
    private final ScheduledExecutorService refresher;
    /** Guarded by this: the file now, and whether the lock is released. */
    private Id current;
    private volatile Instant written;
    private boolean closed;

    private RepositoryLock(Repository repository, boolean exclusive, Clock clock, Timing timing) {
        this.repository = repository;
        this.exclusive = exclusive;
        this.clock = clock;
        this.timing = timing;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lock-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes a lock, refusing if a live lock conflicts with it; dead locks met on the way are removed. */
    public static RepositoryLock acquire(Repository repository, boolean exclusive, Clock clock) throws IOException {
        return acquire(repository, exclusive, clock, Timing.DEFAULT);
    }

    static RepositoryLock acquire(Repository repository, boolean exclusive, Clock clock, Timing timing) throws IOException {
        return acquire(repository, exclusive, clock, timing, Duration.ZERO, n -> { });
    }

    /**
     * Takes the exclusive lock for maintenance (a prune). First waits up to {@code patience} for
     * this process's backups and SFTP sessions to end, telling {@code waiting} how many still run;
     * backups that start meanwhile wait until this lock is released. Then refuses, as
     * {@link #acquire} does, if another program holds a live lock.
     */
    public static RepositoryLock acquireExclusive(Repository repository, Clock clock, Duration patience,
                                                  java.util.function.IntConsumer waiting) throws IOException {
        return acquire(repository, true, clock, Timing.DEFAULT, patience, waiting);
    }

    private static RepositoryLock acquire(Repository repository, boolean exclusive, Clock clock, Timing timing,
                                          Duration patience, java.util.function.IntConsumer waiting) throws IOException {
        MaintenanceGate gate = repository.gate();
        if (exclusive) {
            gate.enterExclusive(patience, waiting);
        } else {
            gate.enterShared();
        }
        RepositoryLock lock;
        try {
            checkConflicts(repository, exclusive, clock);
            lock = new RepositoryLock(repository, exclusive, clock, timing);
            synchronized (lock) {
                lock.current = lock.write();
                lock.written = clock.instant();
            }
        } catch (IOException | RuntimeException e) {
            leave(gate, exclusive);
            throw e;
        }
        repository.heldLocks().add(lock);
        long every = timing.checkEvery().toMillis();
        lock.refresher.scheduleWithFixedDelay(lock::refreshIfDue, every, every, TimeUnit.MILLISECONDS);
        return lock;
    }

    /**
     * Removes the locks whose writer is gone (see {@link #dead}): what a process killed while it
     * held the repository left behind. The appliance calls it when it starts.
     *
     * @return how many lock files were removed
     */
    public static int removeDead(Repository repository, Clock clock) throws IOException {
        int removed = 0;
        for (Held other : others(repository)) {
            if (dead(other, clock.instant())) {
                remove(repository, other);
                removed++;
            }
        }
        return removed;
    }

    /**
     * Releases every lock this process still holds on {@code repository} (work that did not end
     * before a shutdown), so that restic finds none of ours once the appliance has stopped.
     *
     * @return how many were released
     */
    public static int releaseAll(Repository repository) throws IOException {
        List<RepositoryLock> held = List.copyOf(repository.heldLocks());
        IOException failure = null;
        for (RepositoryLock lock : held) {
            try {
                lock.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return held.size();
    }

    /** A lock file as restic reads it. */
    private record Held(Id id, Instant time, boolean exclusive, String hostname, long pid, boolean threefold) {
    }

    /** The readable lock files other than those this process holds on the repository. */
    private static List<Held> others(Repository repository) throws IOException {
        Set<Id> ours = new HashSet<>();
        for (RepositoryLock lock : repository.heldLocks()) {
            synchronized (lock) {
                ours.add(lock.current);
            }
        }
        List<Held> others = new ArrayList<>();
        for (Id id : repository.list(FileType.LOCK)) {
            if (ours.contains(id)) {
                continue;
            }
            try {
                JsonNode json = JSON.readTree(repository.loadUnpacked(FileType.LOCK, id));
                others.add(new Held(id, OffsetDateTime.parse(json.path("time").asText()).toInstant(),
                        json.path("exclusive").asBoolean(), json.path("hostname").asText(), json.path("pid").asLong(),
                        json.path(WRITTEN_BY_THREEFOLD).asBoolean()));
            } catch (IOException | RuntimeException e) {
                // Removed while we listed (a refresh), or damaged: either way not a lock to honour or remove.
                log.warn("ignoring unreadable lock locks/{}: {}", id.hex(), e.getMessage());
            }
        }
        return others;
    }

    /**
     * Whether the lock's writer is certainly gone:
     * <ul>
     *   <li>it was written on this host and no process has its pid (restic's own rule);</li>
     *   <li>it was written on this host, and the process that has its pid now started after the
     *       lock was last written: the pid was given again (after a reboot, or in a container,
     *       where the appliance is pid 1 at every start);</li>
     *   <li>Threefold wrote it and has not refreshed it for 30 minutes (it does every five): an
     *       earlier run of the appliance on a host of another name, e.g. a re-created container.</li>
     * </ul>
     * A lock of another program on another host is never taken for dead: whether its process
     * lives cannot be told from here.
     */
    private static boolean dead(Held lock, Instant now) {
        if (lock.hostname().equals(hostname())) {
            Optional<ProcessHandle> process = ProcessHandle.of(lock.pid()).filter(ProcessHandle::isAlive);
            if (process.isEmpty()) {
                return true;
            }
            Optional<Instant> started = process.get().info().startInstant();
            if (started.isPresent() && started.get().isAfter(lock.time().plus(START_TIME_SLACK))) {
                return true;
            }
        }
        return lock.threefold() && lock.time().isBefore(now.minus(STALE));
    }

    /** Stale by restic's rule: such a lock does not stop anyone. */
    private static boolean stale(Held lock, Instant now) {
        return lock.time().isBefore(now.minus(STALE)) || dead(lock, now);
    }

    private static void remove(Repository repository, Held lock) throws IOException {
        log.warn("removing the lock locks/{} of pid {} on {} (written {}): its process is gone", lock.id().hex(),
                lock.pid(), lock.hostname(), lock.time());
        repository.backend().remove(new Handle(FileType.LOCK, lock.id().hex()));
    }

    private static void checkConflicts(Repository repository, boolean exclusive, Clock clock) throws IOException {
        Instant now = clock.instant();
        for (Held other : others(repository)) {
            if (dead(other, now)) {
                remove(repository, other);
                continue;
            }
            if (stale(other, now)) {
                continue;
            }
            if (exclusive || other.exclusive()) {
                throw new RepositoryException(ThreefoldException.Kind.CONFLICT, "the repository at " + repository.backend().location() + " is locked"
                        + (other.exclusive() ? " exclusively" : "") + " by " + other.hostname()
                        + " (pid " + other.pid() + ") since " + other.time()
                        + "; wait for it to finish, or if it is gone, remove the lock with `restic unlock`");
            }
        }
    }

    private Id write() throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)));
        o.put("exclusive", exclusive);
        o.put("hostname", hostname());
        o.put("username", System.getProperty("user.name", "threefold"));
        o.put("pid", ProcessHandle.current().pid());
        o.put("uid", 0);
        o.put("gid", 0);
        o.put(WRITTEN_BY_THREEFOLD, true);
        return repository.saveUnpacked(FileType.LOCK, JSON.writeValueAsBytes(o));
    }

    private void refreshIfDue() {
        if (clock.instant().isBefore(written.plus(timing.refreshAfter()))) {
            return;
        }
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                Id old = current;
                current = write();
                written = clock.instant();
                repository.backend().remove(new Handle(FileType.LOCK, old.hex()));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("refreshing the repository lock failed; it may look stale to restic after 30 minutes: {}", e.getMessage());
        }
    }

    /**
     * Fails if the lock may look stale to others: its refresh failed for so long that restic
     * could have pruned the packs this session wrote, or it was released at a shutdown. A session
     * checks before its snapshot.
     */
    public void ensureHeld() {
        synchronized (this) {
            if (closed) {
                throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "the repository lock was released (the appliance is stopping)"
                        + "; run the backup again once it is back");
            }
        }
        if (written.isBefore(clock.instant().minus(STALE.minus(timing.refreshAfter())))) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "the repository lock could not be refreshed since " + written
                    + ", so another program may have pruned this backup's data; run the backup again");
        }
    }

    @Override
    public void close() throws IOException {
        Id last;
        synchronized (this) {
            // Closing twice (a failed session is closed on every path out) removes the file once.
            if (closed) {
                return;
            }
            closed = true;
            last = current;
        }
        // A refresh running now has finished (it holds this object's monitor) and the next one sees closed.
        refresher.shutdownNow();
        repository.heldLocks().remove(this);
        try {
            repository.backend().remove(new Handle(FileType.LOCK, last.hex()));
        } finally {
            leave(repository.gate(), exclusive);
        }
    }

    private static void leave(MaintenanceGate gate, boolean exclusive) {
        if (exclusive) {
            gate.leaveExclusive();
        } else {
            gate.leaveShared();
        }
    }

    /**
     * This host's name as restic (Go's {@code os.Hostname}) reads it on Linux, so that both take
     * a lock of this host for one.
     */
    static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException notLinux) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "threefold";
            }
        }
    }
}
