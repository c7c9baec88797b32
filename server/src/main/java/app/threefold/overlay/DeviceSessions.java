package app.threefold.overlay;

import app.threefold.catalog.Catalog;
import app.threefold.chunker.Chunker;
import app.threefold.chunker.ChunkerParams;
import app.threefold.device.Device;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.ingest.IngestSession;
import app.threefold.repository.BlobSaver;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryLock;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live overlays of devices. All connections of one device share one overlay (rclone opens
 * several), so what one connection uploads the others see; when the last one closes, the overlay
 * becomes a snapshot. Long sessions are checkpointed; leftovers of a crash are replayed by
 * {@link #recover()} into snapshots tagged {@code recovered}.
 */
public final class DeviceSessions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceSessions.class);
    public static final String RECOVERED = "recovered";
    public static final String CHECKPOINT = "checkpoint";

    /**
     * Bounds of a live session: it is written as a snapshot (a checkpoint) after {@code
     * checkpointEvery} or {@code checkpointBytes} spooled, looked at every {@code tick}. Storing
     * its closed files waits until no write has come for {@code quiet}, unless more than {@code
     * backlogBytes} of them wait; uploads wait while that many are not yet stored (see {@link Backlog}).
     */
    public record Limits(Duration checkpointEvery, long checkpointBytes, Duration tick, long backlogBytes, Duration quiet) {
        /**
         * 2 GiB of backlog is about 12 s of storing on two cores: it bounds how long a checkpoint
         * or the session's end waits for storing, and takes a nightly upload of a laptop's changes
         * whole. A second without writes is a pause in the upload, not a gap between two files.
         */
        public static final Limits DEFAULT = new Limits(Duration.ofMinutes(15), 4L << 30, Duration.ofSeconds(30), 2L << 30,
                Duration.ofSeconds(1));
    }

    private final Engine engine;
    private final Catalog catalog;
    private final Devices devices;
    private final Path sessionsDir;
    private final Clock clock;
    private final Limits limits;
    private final Chunker chunker;
    private final Map<String, Live> live = new HashMap<>();
    private final ScheduledExecutorService ticker;
    /** Commits run here, never on an SSH thread (MINA interrupts those when a channel closes). */
    private final ExecutorService committer;
    private final Map<String, CompletableFuture<Void>> committing = new HashMap<>();
    /** Sessions being started; the device's other connections wait for them. Guarded by {@link #live}. */
    private final Map<String, CompletableFuture<Void>> starting = new HashMap<>();
    /** Set by {@link #close()}: no session starts after it. Guarded by {@link #live}. */
    private boolean closed;

    private static final class Live {
        Overlay overlay;
        int connections;
        Instant lastCheckpoint;
        /** Where its connections came from: each address is logged once per session, not once per connection. */
        final Set<String> addresses = new HashSet<>();
    }

    public DeviceSessions(Engine engine, Catalog catalog, Devices devices, Path sessionsDir, Clock clock, Limits limits)
            throws IOException {
        this.engine = engine;
        this.catalog = catalog;
        this.devices = devices;
        this.sessionsDir = Files.createDirectories(sessionsDir);
        this.clock = clock;
        this.limits = limits;
        this.chunker = new Chunker(ChunkerParams.DEFAULT, engine.repository().chunkerKey());
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sftp-checkpoints");
            t.setDaemon(true);
            return t;
        });
        this.committer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sftp-commit");
            t.setDaemon(true);
            return t;
        });
        long tick = limits.tick().toMillis();
        ticker.scheduleWithFixedDelay(this::checkpointDue, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** One connection's hold on its device's overlay; closing the last one commits it. */
    public final class Lease implements AutoCloseable {
        private final String device;
        private final Overlay overlay;
        private boolean closed;

        private Lease(String device, Overlay overlay) {
            this.device = device;
            this.overlay = overlay;
        }

        public Overlay overlay() {
            return overlay;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            release(device, overlay);
        }
    }

    /** How many devices have a session running (one per device, however many connections). */
    public int liveDevices() {
        synchronized (live) {
            committing.values().removeIf(CompletableFuture::isDone);
            return live.size() + committing.size() + starting.size();
        }
    }

    /** Joins the device's live session, starting one on its latest snapshot if none runs. */
    public Lease open(String device) throws IOException {
        return open(device, null);
    }

    /**
     * Joins the device's live session, starting one on its latest snapshot if none runs, for a
     * connection from {@code address} (null if unknown). The activity log gets one {@code sftp.login}
     * per session and address, not one per connection: rclone alone opens a dozen for one sync.
     */
    public Lease open(String device, String address) throws IOException {
        while (true) {
            CompletableFuture<Void> wait = null;
            Lease joined = null;
            boolean newAddress = false;
            synchronized (live) {
                if (closed) {
                    throw new IOException("the appliance is shutting down; connect again once it is back");
                }
                Live l = live.get(device);
                if (l != null) {
                    l.connections++;
                    newAddress = address != null && l.addresses.add(address);
                    joined = new Lease(device, l.overlay);
                } else {
                    wait = starting.get(device);
                    if (wait == null) {
                        CompletableFuture<Void> previous = committing.get(device);
                        if (previous == null || previous.isDone()) {
                            starting.put(device, new CompletableFuture<>());
                            break;
                        }
                        // The device's previous session is still being committed: start from its snapshot.
                        wait = previous;
                    }
                }
            }
            if (joined != null) {
                if (newAddress) {
                    loggedIn(device, address);
                }
                return joined;
            }
            // Then look again: the session another connection started, or a start of our own.
            wait.handle((v, e) -> null).join();
        }
        Lease lease = start(device, address);
        if (address != null) {
            loggedIn(device, address);
        }
        return lease;
    }

    private void loggedIn(String device, String address) {
        devices.audit(device, "sftp.login", Map.of("address", address));
    }

    /**
     * Starts the device's session. Outside the lock on {@link #live}: taking the repository lock,
     * syncing the index and finding the latest snapshot read the repository, and other devices'
     * logins, checkpoints and commits need not wait for that. The device's other connections wait
     * for it in {@link #open}; if it fails, each of them tries on its own.
     */
    private Lease start(String device, String address) throws IOException {
        CompletableFuture<Void> started;
        synchronized (live) {
            started = starting.get(device);
        }
        try {
            Overlay overlay = newOverlay(device, new Snapshots(engine.repository()).latest(device).orElse(null),
                    sessionsDir.resolve(UUID.randomUUID().toString()));
            synchronized (live) {
                if (!closed) {
                    Live l = new Live();
                    l.overlay = overlay;
                    l.lastCheckpoint = clock.instant();
                    l.connections = 1;
                    if (address != null) {
                        l.addresses.add(address);
                    }
                    live.put(device, l);
                    return new Lease(device, overlay);
                }
            }
            // The appliance is stopping: close() has taken the live sessions already.
            try {
                overlay.close();
            } finally {
                deleteTree(overlay.journal().dir());
            }
            throw new IOException("the appliance is shutting down; connect again once it is back");
        } finally {
            synchronized (live) {
                starting.remove(device);
            }
            started.complete(null);
        }
    }

    private Overlay newOverlay(String device, Snapshot base, Path dir) throws IOException {
        Repository repo = engine.repository();
        // The lock first: a prune elsewhere then either finished before (and the index sync below
        // sees it) or waits for this session. Before the journal: a refused session leaves nothing.
        RepositoryLock lock = RepositoryLock.acquire(repo, false, clock);
        Journal journal = null;
        ExecutorService storer = null;
        try {
            // Dedup must not trust blobs another program pruned since the last session.
            repo.syncIndex();
            journal = Journal.create(dir, device, base == null ? "" : base.id().hex());
            storer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "spool-" + device);
                t.setDaemon(true);
                // Storing closed files is background work, like the engine's workers it feeds.
                t.setPriority(Thread.MIN_PRIORITY);
                return t;
            });
            Overlay[] self = new Overlay[1];
            Optional<Device> d = devices.find(device);
            long total = d.map(Device::quotaBytes).orElse(0L);
            long before = d.map(Device::bytesAdded).orElse(0L);
            Overlay.Quota quota = total <= 0 ? Overlay.Quota.NONE : new Overlay.Quota() {
                @Override
                public long left() {
                    return Math.max(0, total - before - self[0].bytesAdded());
                }

                @Override
                public long total() {
                    return total;
                }
            };
            self[0] = new Overlay(device, repo, new BlobSaver(repo, engine.storeWorkers()), chunker,
                    engine.digests(), storer, clock, journal, quota, new Backlog(limits.backlogBytes(), limits.quiet()), base, lock);
            return self[0];
        } catch (IOException | RuntimeException e) {
            if (storer != null) {
                storer.shutdown();
            }
            if (journal != null) {
                closeQuietly(journal, e);
                closeQuietly(() -> deleteTree(dir), e);
            }
            closeQuietly(lock, e);
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable c, Exception cause) {
        try {
            c.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    private void release(String device, Overlay overlay) {
        synchronized (live) {
            Live l = live.get(device);
            if (l == null || l.overlay != overlay || --l.connections > 0) {
                return;
            }
            live.remove(device);
            try {
                // A new connection of the device waits for this, so it starts from the new snapshot.
                committing.put(device, CompletableFuture.runAsync(() -> finish(overlay, List.of(), true), committer));
                return;
            } catch (RejectedExecutionException stopping) {
                // close() has stopped the committer and will not see this session: commit it here.
            }
        }
        finish(overlay, List.of(), true);
    }

    /**
     * Commits an overlay that has ended; on failure its journal stays for {@link #recover()}.
     * {@code clientDone}: its last connection closed (rather than the appliance stopping under it).
     */
    private void finish(Overlay overlay, List<String> tags, boolean clientDone) {
        Path dir = overlay.journal().dir();
        try {
            overlay.awaitStoring();
            Snapshot latest = new Snapshots(engine.repository()).latest(overlay.device()).orElse(null);
            Optional<IngestSession.Result> result;
            if (overlay.changed() && !sameSnapshot(latest, overlay.base())) {
                result = rebase(overlay, latest, tags);
            } else {
                result = overlay.commit(tags);
            }
            result.ifPresent(r -> recorded(overlay.device(), r, tags.contains(RECOVERED)));
            // A session that changed nothing is a backup too: the device's files are all on the NAS.
            if (clientDone) {
                devices.recordBackupCompleted(overlay.device());
            }
            overlay.close();
            deleteTree(dir);
        } catch (Throwable e) {
            // Throwable, not only exceptions: this runs on the committer, where an Error (a stack
            // overflow, out of memory) would otherwise end the future unseen and the device would
            // simply never get its snapshot.
            reportFailure(overlay.device(), dir, e);
            // Its journal stays; its repository lock must not, or a prune elsewhere waits until a restart.
            try {
                overlay.close();
            } catch (Throwable closing) {
                log.error("device {}: closing the failed session also failed ({})", overlay.device(), describe(closing), closing);
            }
        }
    }

    /** The action in the activity log of a session whose commit failed; its journal is replayed at the next start. */
    public static final String SESSION_FAILED = "sftp.session.failed";
    /** The action in the activity log of a session that could not be replayed and was set aside. */
    public static final String SESSION_QUARANTINED = "sftp.session.quarantined";

    private void reportFailure(String device, Path dir, Throwable e) {
        log.error("device {}: the session could not be saved as a snapshot ({}); its journal {} is replayed at the next start",
                device, describe(e), dir, e);
        audit(device, SESSION_FAILED, Map.of("error", describe(e), "journal", dir.getFileName().toString()));
    }

    /** Records in the activity log; a failure to do so is logged, never hides the failure being reported. */
    private void audit(String device, String action, Map<String, ?> detail) {
        try {
            devices.audit(device, action, detail);
        } catch (Throwable e) {
            log.error("device {}: recording {} in the activity log failed ({})", device, action, describe(e), e);
        }
    }

    /** A one-line cause: errors such as a stack overflow have no message of their own. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        String what = e instanceof Error || m == null || m.isBlank() ? e.getClass().getSimpleName() : "";
        // One line: parser messages carry a second line of location, and this goes into a log line and a page.
        String text = (m == null || m.isBlank() ? what : what.isEmpty() ? m : what + ": " + m).replaceAll("\\s*\\R\\s*", " ");
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static boolean sameSnapshot(Snapshot a, Snapshot b) {
        return a == null ? b == null : b != null && a.id().equals(b.id());
    }

    /** Another session committed first: redo this one's changes on top of it (last writer wins per path). */
    private Optional<IngestSession.Result> rebase(Overlay overlay, Snapshot latest, List<String> tags) throws IOException {
        overlay.commitPending();
        Overlay on = newOverlay(overlay.device(), latest, sessionsDir.resolve(UUID.randomUUID().toString()));
        try {
            on.replay(overlay.ops().iterator(), overlay.journal().dir());
            Optional<IngestSession.Result> r = on.commit(tags);
            overlay.close();
            on.close();
            deleteTree(on.journal().dir());
            return r;
        } catch (Throwable e) {
            try {
                on.close();
                deleteTree(on.journal().dir());
            } catch (Throwable cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void recorded(String device, IngestSession.Result r, boolean recovered) {
        engine.recordSnapshot(r.snapshot(), r);
        if (recovered) {
            engine.catalogSnapshots().markRecovered(r.snapshot());
        }
        if (devices.find(device).isPresent()) {
            devices.addBytes(device, r.stats().bytesAdded());
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("snapshot", r.snapshot().id().hex());
        detail.put("files", r.stats().files());
        detail.put("bytesAdded", r.stats().bytesAdded());
        if (!r.snapshot().tags().isEmpty()) {
            detail.put("tags", r.snapshot().tags());
        }
        devices.audit(device, "sftp.snapshot", detail);
        log.info("device {}: snapshot {} ({} files, {} bytes added{})", device, r.snapshot().id().shortHex(),
                r.stats().files(), r.stats().bytesAdded(), recovered ? ", recovered" : "");
    }

    /** Writes a checkpoint of every live session that has run or spooled long enough. */
    public void checkpointDue() {
        List<Map.Entry<String, Live>> due = new ArrayList<>();
        synchronized (live) {
            Instant now = clock.instant();
            for (var e : live.entrySet()) {
                Live l = e.getValue();
                boolean old = Duration.between(l.lastCheckpoint, now).compareTo(limits.checkpointEvery()) >= 0;
                if (l.overlay.spooledBytes() >= limits.checkpointBytes() || (old && l.overlay.changed())) {
                    l.lastCheckpoint = now;
                    due.add(e);
                }
            }
        }
        for (var e : due) {
            Overlay o = e.getValue().overlay;
            try {
                Snapshot latest = new Snapshots(engine.repository()).latest(o.device()).orElse(null);
                if (!sameSnapshot(latest, o.base())) {
                    log.info("device {}: checkpoint postponed to the session's end (another snapshot landed meanwhile)", o.device());
                    continue;
                }
                // Stored before the commit takes the session's lock, so its uploads go on meanwhile.
                o.awaitStoring();
                o.commit(List.of(CHECKPOINT)).ifPresent(r -> recorded(o.device(), r, false));
            } catch (Throwable ex) {
                // Throwable: an error escaping here would also cancel the timer, and with it every later checkpoint.
                log.error("device {}: checkpoint failed ({}); the journal keeps the session's changes", o.device(), describe(ex), ex);
                audit(o.device(), SESSION_FAILED, Map.of("error", describe(ex), "journal", o.journal().dir().getFileName().toString(),
                        "checkpoint", true));
            }
        }
    }

    /**
     * Replays the journals a crash left behind, each into a snapshot tagged {@code recovered}.
     * A journal that cannot be replayed (damaged, or its commit fails) is moved to {@link
     * #quarantineDir()} and reported, so the appliance always starts; moving its folder back
     * retries it at the next start. Call at start, before any SFTP session.
     */
    public List<IngestSession.Result> recover() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(sessionsDir)) {
            dirs = s.filter(Files::isDirectory).sorted(Comparator.comparing(Path::toString)).toList();
        }
        List<IngestSession.Result> results = new ArrayList<>();
        for (Path dir : dirs) {
            String[] device = {null};
            try {
                recoverOne(dir, device).ifPresent(results::add);
            } catch (Throwable e) {
                quarantine(dir, device[0], e);
            }
        }
        return results;
    }

    /** Where sessions that could not be replayed are kept: {@code DATA/sessions-quarantine}. */
    public Path quarantineDir() {
        return sessionsDir.resolveSibling("sessions-quarantine");
    }

    private Optional<IngestSession.Result> recoverOne(Path dir, String[] device) throws IOException {
        if (!Files.exists(dir.resolve(Journal.FILE))) {
            deleteTree(dir);
            return Optional.empty();
        }
        try (Journal.Replay replay = Journal.read(dir)) {
            if (replay == null || !replay.hasNext()) {
                deleteTree(dir);
                return Optional.empty();
            }
            device[0] = replay.header().device();
            Overlay o = newOverlay(device[0], new Snapshots(engine.repository()).latest(device[0]).orElse(null),
                    sessionsDir.resolve(UUID.randomUUID().toString()));
            try {
                // Streamed: the journal of a long session may be larger than the heap.
                o.replay(replay, dir);
                Optional<IngestSession.Result> r = o.commit(List.of(RECOVERED));
                r.ifPresent(res -> recorded(device[0], res, true));
                o.close();
                deleteTree(o.journal().dir());
                replay.close();
                deleteTree(dir);
                return r;
            } catch (Throwable e) {
                try {
                    o.close();
                    deleteTree(o.journal().dir());
                } catch (Throwable cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
    }

    /** Sets a session that cannot be replayed aside, with a note of why, and reports it. */
    private void quarantine(Path dir, String device, Throwable e) {
        String who = device == null ? "(unknown device)" : device;
        Path to = quarantineDir().resolve(dir.getFileName().toString());
        try {
            Files.createDirectories(quarantineDir());
            Files.move(dir, to);
            Files.writeString(to.resolve("WHY.txt"), "This SFTP session of " + who + " could not be replayed at start-up on "
                    + clock.instant() + ":\n" + describe(e) + "\n\nIts journal and spool files are kept here. To try again,"
                    + " move this folder back into " + sessionsDir.getFileName() + "/ and restart the appliance.\n");
        } catch (IOException | RuntimeException moving) {
            e.addSuppressed(moving);
            log.error("device {}: the session {} could not be replayed ({}) nor set aside ({}); the appliance starts without it",
                    who, dir, describe(e), describe(moving), e);
            return;
        }
        log.error("device {}: the session {} could not be replayed ({}); it was set aside in {} and the appliance starts without it",
                who, dir.getFileName(), describe(e), to, e);
        audit(device == null ? "appliance" : device, SESSION_QUARANTINED, Map.of("error", describe(e),
                "folder", quarantineDir().getFileName() + "/" + to.getFileName()));
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Commits every live session (appliance shutdown) and stops the checkpoint timer. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> startingNow;
        synchronized (live) {
            closed = true;
            startingNow = List.copyOf(starting.values());
        }
        // A session being started now gives up (no connection has written to it yet); none is left running.
        CompletableFuture.allOf(startingNow.toArray(CompletableFuture[]::new)).handle((v, e) -> null).join();
        ticker.shutdownNow();
        committer.shutdown();
        try {
            committer.awaitTermination(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Overlay> open;
        synchronized (live) {
            open = live.values().stream().map(l -> l.overlay).toList();
            live.clear();
        }
        for (Overlay o : open) {
            // Cut short by the shutdown: what it stored is kept, but the device's backup did not complete.
            finish(o, List.of(), false);
        }
    }
}
