package app.threefold.repository;

import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.format.Id;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock file in {@code locks/}, as restic writes and honours them: a backup holds a
 * non-exclusive lock so that {@code restic prune} waits; maintenance takes an exclusive one.
 * The file is rewritten every five minutes (restic treats locks older than 30 minutes as stale)
 * and removed on {@link #close}.
 */
public final class RepositoryLock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RepositoryLock.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration STALE = Duration.ofMinutes(30);
    private static final Duration REFRESH = Duration.ofMinutes(5);
    /** Closing twice (a failed session is closed on every path out) removes the file once. */
    private boolean closed;

    private final Repository repository;
    private final boolean exclusive;
    private final Clock clock;
    private final ScheduledExecutorService refresher;
    private volatile Id current;
    private volatile Instant written;

    private RepositoryLock(Repository repository, boolean exclusive, Clock clock) {
        this.repository = repository;
        this.exclusive = exclusive;
        this.clock = clock;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lock-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    /** Takes a lock, refusing if a live lock conflicts with it. */
    public static RepositoryLock acquire(Repository repository, boolean exclusive, Clock clock) throws IOException {
        checkConflicts(repository, exclusive, clock, null);
        RepositoryLock lock = new RepositoryLock(repository, exclusive, clock);
        lock.current = lock.write();
        lock.written = clock.instant();
        lock.refresher.scheduleAtFixedRate(lock::refresh, REFRESH.toSeconds(), REFRESH.toSeconds(), TimeUnit.SECONDS);
        return lock;
    }

    private static void checkConflicts(Repository repository, boolean exclusive, Clock clock, Id own) throws IOException {
        for (Id id : repository.list(FileType.LOCK)) {
            if (id.equals(own)) {
                continue;
            }
            JsonNode other;
            Instant time;
            try {
                other = JSON.readTree(repository.loadUnpacked(FileType.LOCK, id));
                time = OffsetDateTime.parse(other.path("time").asText()).toInstant();
            } catch (IOException | RuntimeException e) {
                log.warn("ignoring unreadable lock locks/{}: {}", id.hex(), e.getMessage());
                continue;
            }
            if (time.isBefore(clock.instant().minus(STALE))) {
                continue;
            }
            if (exclusive || other.path("exclusive").asBoolean()) {
                throw new RepositoryException("the repository at " + repository.backend().location() + " is locked"
                        + (other.path("exclusive").asBoolean() ? " exclusively" : "") + " by " + other.path("hostname").asText()
                        + " (pid " + other.path("pid").asLong() + ") since " + time
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
        return repository.saveUnpacked(FileType.LOCK, JSON.writeValueAsBytes(o));
    }

    private void refresh() {
        try {
            Id old = current;
            current = write();
            written = clock.instant();
            repository.backend().remove(new Handle(FileType.LOCK, old.hex()));
        } catch (IOException | RuntimeException e) {
            log.warn("refreshing the repository lock failed; it may look stale to restic after 30 minutes: {}", e.getMessage());
        }
    }

    /**
     * Fails if the lock may look stale to others: its refresh failed for so long that restic
     * could have pruned the packs this session wrote. A session checks before its snapshot.
     */
    public void ensureHeld() {
        if (written.isBefore(clock.instant().minus(STALE.minus(REFRESH)))) {
            throw new RepositoryException("the repository lock could not be refreshed since " + written
                    + ", so another program may have pruned this backup's data; run the backup again");
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        refresher.shutdown();
        try {
            // A refresh running now must finish first, or it could leave a new lock file behind.
            refresher.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        repository.backend().remove(new Handle(FileType.LOCK, current.hex()));
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "threefold";
        }
    }
}
