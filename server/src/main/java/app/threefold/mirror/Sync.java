package app.threefold.mirror;

import app.threefold.backend.Backend;
import app.threefold.backend.CredentialsRefusedException;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.backend.HashedInput;
import app.threefold.backend.HostKeyMismatchException;
import app.threefold.backend.NoSuchBucketException;
import app.threefold.backend.NoSuchObjectException;
import app.threefold.backend.NotARepositoryException;
import app.threefold.backend.ObjectExistsException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.ReadOnlyFileSystemException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a repository to a target as a set difference of objects: it uploads what the target
 * lacks and never overwrites anything there; objects gone from the local repository are removed
 * from the target only after a delay and only when no snapshot left there needs them
 * ({@link Removals}, after all uploads). The copy is a valid repository at every
 * moment because of the order, each phase finished before the next starts:
 * <ol>
 *   <li>config and keys (on a new target: a repository that opens, with nothing in it);</li>
 *   <li>packs (data nothing names yet);</li>
 *   <li>index files (naming only packs that are there);</li>
 *   <li>snapshots (naming only trees and data the index finds).</li>
 * </ol>
 * Every object is hashed on its way out and must hash to its name (the config excepted), so a
 * damaged local object is never copied; the target's stored length is checked after each upload
 * (unless the backend verified the save itself: S3's Content-MD5, checked by the server, makes
 * that HEAD a second look at what is already proven, at a request per object), and on targets
 * where reading back is cheap (folders) its SHA-256 too. S3 uploads carry a
 * {@code Content-MD5} the server checks. Transient failures are retried per object with backoff;
 * all uploads share one bandwidth limit.
 */
final class Sync {

    private static final Logger log = LoggerFactory.getLogger(Sync.class);
    private static final HexFormat HEX = HexFormat.of();
    /** The most one read takes from the throttle: small enough for a smooth rate, large enough to cost nothing. */
    private static final int MAX_READ = 256 << 10;
    private static final long REPORT_EVERY_NANOS = 250_000_000L;
    /** The phases, in the order that keeps the copy valid. */
    private static final List<List<FileType>> PHASES = List.of(List.of(FileType.CONFIG, FileType.KEY),
            List.of(FileType.PACK), List.of(FileType.INDEX), List.of(FileType.SNAPSHOT));

    /**
     * @param parallelism    uploads at once
     * @param bytesPerSecond shared limit, 0 for none
     * @param readBack       whether to read every upload back and compare its SHA-256 (cheap on folders)
     * @param fullListing    whether to list the target instead of trusting the ledger
     * @param deleteAfter    how long an object gone from the local repository stays on the target,
     *                       counted from the first sync that saw it gone; null: never removed
     */
    record Options(int parallelism, long bytesPerSecond, Retry retry, boolean readBack, boolean fullListing,
                   Duration deleteAfter) {
        Options {
            if (parallelism < 1) {
                throw new IllegalArgumentException("at least one upload at a time: " + parallelism);
            }
            Objects.requireNonNull(retry, "retry");
            if (deleteAfter != null && deleteAfter.isNegative()) {
                throw new IllegalArgumentException("a delay before removals cannot be negative: " + deleteAfter);
            }
        }

        /** A sync that never removes anything from the target. */
        Options(int parallelism, long bytesPerSecond, Retry retry, boolean readBack, boolean fullListing) {
            this(parallelism, bytesPerSecond, retry, readBack, fullListing, null);
        }
    }

    private final Backend source;
    private final Backend target;
    private final Ledger ledger;
    private final Options options;
    private final Consumer<SyncProgress> progress;
    private final Throttle throttle;
    private final Clock clock;
    private final CopyReader reader;

    private final AtomicLong objectsDone = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong alreadyThere = new AtomicLong();
    private final AtomicLong lastReport = new AtomicLong();
    private long objectsTotal;
    private long bytesTotal;
    private long sendingSince;

    Sync(Backend source, Backend target, Ledger ledger, Options options, Consumer<SyncProgress> progress) {
        this(source, target, ledger, options, progress, Clock.systemUTC(), CopyReader.NONE);
    }

    /**
     * @param clock  what "gone since" and a removal's delay are measured with
     * @param reader opens the target with the repository's key, to read the snapshots it still holds
     */
    Sync(Backend source, Backend target, Ledger ledger, Options options, Consumer<SyncProgress> progress, Clock clock,
         CopyReader reader) {
        this.clock = Objects.requireNonNull(clock);
        this.reader = Objects.requireNonNull(reader);
        this.source = Objects.requireNonNull(source);
        this.target = Objects.requireNonNull(target);
        this.ledger = Objects.requireNonNull(ledger);
        this.options = Objects.requireNonNull(options);
        this.progress = Objects.requireNonNull(progress);
        this.throttle = new Throttle(options.bytesPerSecond());
    }

    SyncResult run() throws IOException {
        long started = System.nanoTime();
        Map<Handle, Long> wanted = listSource();
        Map<Handle, Long> known;
        if (options.fullListing()) {
            known = retrying(options.retry(), target.location(), "listing", this::listTarget);
            Map<Handle, Long> listed = known;
            retrying(options.retry(), target.location(), "reading the config of", () -> {
                checkSameRepository(listed);
                return null;
            });
            ledger.replace(known);
        } else {
            known = ledger.known();
        }
        List<List<Map.Entry<Handle, Long>>> phases = new ArrayList<>();
        for (List<FileType> types : PHASES) {
            List<Map.Entry<Handle, Long>> missing = wanted.entrySet().stream()
                    .filter(e -> types.contains(e.getKey().type()) && !e.getValue().equals(known.get(e.getKey())))
                    .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(Handle::path)))
                    .toList();
            phases.add(missing);
            objectsTotal += missing.size();
            bytesTotal += missing.stream().mapToLong(Map.Entry::getValue).sum();
        }
        sendingSince = System.nanoTime();
        report();
        if (objectsTotal > 0) {
            ExecutorService uploads = Executors.newFixedThreadPool(Math.min(options.parallelism(), (int) objectsTotal),
                    r -> {
                        Thread t = new Thread(r, "mirror-upload");
                        t.setDaemon(true);
                        return t;
                    });
            try {
                for (List<Map.Entry<Handle, Long>> phase : phases) {
                    runPhase(uploads, phase);
                }
            } finally {
                uploads.shutdownNow();
            }
        }
        report();
        long onTarget = known.size() + objectsDone.get();
        Removals.Outcome removals = Removals.Outcome.NONE;
        if (options.deleteAfter() != null) {
            // Only now: every object the local repository held when listed is on the target.
            removals = new Removals(source, target, ledger, reader, options.deleteAfter(), clock, options.retry())
                    .run(wanted.keySet());
            onTarget -= removals.removed();
        }
        return new SyncResult(objectsDone.get() - alreadyThere.get(), bytesDone.get(), alreadyThere.get(), onTarget,
                options.fullListing(), Duration.ofNanos(System.nanoTime() - started), removals.removed(),
                removals.removedBytes(), removals.waiting(), removals.nextRemoval(), removals.kept(), removals.notes());
    }

    /** An action on a target that may fail transiently. */
    @FunctionalInterface
    interface TargetAction<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code action}, again after transient failures as {@code retry} says: for what a sync
     * does besides uploads (connecting, listing), so a flaky link fails none of it on the first try.
     */
    static <T> T retrying(Retry retry, String location, String what, TargetAction<T> action) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return action.run();
            } catch (IOException e) {
                if (!transientFailure(e) || attempt >= retry.attempts()) {
                    throw e;
                }
                Duration wait = retry.delayAfter(attempt, ThreadLocalRandom.current().nextDouble());
                log.info("{} {} failed ({}); trying again in {} ms", what, location, e.getMessage(), wait.toMillis());
                try {
                    TimeUnit.MILLISECONDS.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("the sync to " + location + " was stopped");
                }
            }
        }
    }

    /** Whether trying again may help: not for refused credentials, a missing bucket, a stop, a full or read-only disk. */
    static boolean transientFailure(IOException e) {
        String message = String.valueOf(e.getMessage());
        return !(e instanceof CredentialsRefusedException || e instanceof HostKeyMismatchException
                || e instanceof NoSuchBucketException
                || e instanceof NotARepositoryException || e instanceof UnremovableObjectException
                || (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException))
                || e instanceof AccessDeniedException
                || message.contains("No space left on device") || message.contains("Disk quota exceeded")
                || message.contains("Read-only file system"));
    }

    private Map<Handle, Long> listSource() throws IOException {
        Map<Handle, Long> objects = new HashMap<>();
        // Backups and SFTP sessions write while a sync runs, always packs before the index that names
        // them and index before snapshots. Listing in the reverse order means whatever a listed
        // snapshot or index names was written before it was listed, so it is in a later listing.
        for (List<FileType> phase : PHASES.reversed()) {
            for (FileType type : phase) {
                source.list(type, info -> objects.put(info.handle(), info.size()));
            }
        }
        if (!objects.containsKey(Handle.CONFIG)) {
            throw new NotARepositoryException(source.location(), "it has no config file");
        }
        return objects;
    }

    private Map<Handle, Long> listTarget() throws IOException {
        Map<Handle, Long> objects = new HashMap<>();
        for (List<FileType> phase : PHASES) {
            for (FileType type : phase) {
                target.list(type, info -> objects.put(info.handle(), info.size()));
            }
        }
        return objects;
    }

    /** A config that differs is another repository's: adding this one's packs to it would help neither. */
    private void checkSameRepository(Map<Handle, Long> onTarget) throws IOException {
        if (!onTarget.containsKey(Handle.CONFIG)) {
            return;
        }
        if (!Arrays.equals(source.readAll(Handle.CONFIG), target.readAll(Handle.CONFIG))) {
            throw new ForeignRepositoryException(target.location() + " holds another repository (its config differs"
                    + " from this appliance's); choose an empty folder or prefix for this copy, or remove the other"
                    + " repository there yourself if it is no longer needed");
        }
    }

    private void runPhase(ExecutorService uploads, List<Map.Entry<Handle, Long>> phase) throws IOException {
        if (phase.isEmpty()) {
            return;
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> futures = new ArrayList<>(phase.size());
        for (Map.Entry<Handle, Long> object : phase) {
            futures.add(uploads.submit(() -> {
                if (stop.get()) {
                    return null;
                }
                try {
                    upload(object.getKey(), object.getValue());
                } catch (IOException | RuntimeException e) {
                    stop.set(true);
                    throw e;
                }
                return null;
            }));
        }
        Throwable first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop.set(true);
                futures.forEach(other -> other.cancel(true));
                throw new InterruptedIOException("the sync to " + target.location() + " was stopped; "
                        + objectsDone.get() + " objects were sent completely and the next sync continues from there");
            }
        }
        if (first instanceof IOException io) {
            throw io;
        }
        if (first instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
    }

    /** One object, tried again on transient failures; recorded in the ledger once it is verified on the target. */
    private void upload(Handle handle, long size) throws IOException {
        for (int attempt = 1; ; attempt++) {
            AtomicLong counted = new AtomicLong();
            try {
                send(handle, size, counted);
                ledger.record(handle, size);
                objectsDone.incrementAndGet();
                report();
                return;
            } catch (ObjectExistsException exists) {
                bytesDone.addAndGet(-counted.get());
                // Sent by a sync cut off before it could record it (or by this one, whose answer was lost).
                long there = target.stat(handle);
                if (there != size) {
                    throw new ForeignRepositoryException(target.location() + " already holds " + handle.path() + " with "
                            + there + " bytes, not " + size + "; something other than Threefold writes there. Run"
                            + " `restic check` on the copy and give the target a folder of its own");
                }
                ledger.record(handle, size);
                alreadyThere.incrementAndGet();
                objectsDone.incrementAndGet();
                report();
                return;
            } catch (IOException e) {
                bytesDone.addAndGet(-counted.get());
                stopIfPermanent(e);
                if (attempt >= options.retry().attempts()) {
                    throw new IOException("sending " + handle.path() + " to " + target.location() + " failed "
                            + attempt + " times, the last time with: " + e.getMessage()
                            + "; what was sent completely stays, and the next sync continues from there", e);
                }
                Duration wait = options.retry().delayAfter(attempt, ThreadLocalRandom.current().nextDouble());
                log.info("Sending {} to {} failed ({}); trying again in {} ms", handle.path(), target.location(),
                        e.getMessage(), wait.toMillis());
                sleep(wait);
            }
        }
    }

    private void send(Handle handle, long size, AtomicLong counted) throws IOException {
        boolean named = handle.type() != FileType.CONFIG;
        OutgoingStream out;
        try (InputStream in = source.open(handle, 0, 0)) {
            out = new OutgoingStream(in, handle, named, counted);
            target.save(handle, out, size);
        }
        if (named && !out.matchesName()) {
            // The backend took the bytes without reading past the end, where the stream refuses them.
            DamagedSourceException damaged = damaged(handle);
            try {
                target.remove(handle);
            } catch (IOException e) {
                damaged.addSuppressed(e);
            }
            throw damaged;
        }
        if (!target.savesAreVerified()) {
            long stored = target.stat(handle);
            if (stored != size) {
                removeFailed(handle);
                throw new IOException(target.location() + " stored " + stored + " of the " + size + " bytes of "
                        + handle.path() + "; it was removed again, to be sent again");
            }
        }
        if (options.readBack() && named) {
            String hash;
            try (InputStream back = target.open(handle, 0, 0)) {
                hash = sha256(back);
            }
            if (!hash.equals(handle.name())) {
                removeFailed(handle);
                throw new IOException(handle.path() + " read back from " + target.location() + " hashes to " + hash
                        + ", not to its name; it was removed again, to be sent again (is the disk failing?)");
            }
        }
    }

    /**
     * Takes away an upload that failed its check, so the retry sends it again. If that fails too the
     * sync stops: a retry would find the object there, of the right length, and record it as good.
     */
    private void removeFailed(Handle handle) throws IOException {
        try {
            target.remove(handle);
        } catch (IOException e) {
            throw new UnremovableObjectException(handle.path() + " on " + target.location() + " failed its check after"
                    + " upload and could not be removed (" + e.getMessage() + "); remove it there by hand, then sync"
                    + " again", e);
        }
    }

    /** An upload that failed its check is still on the target: not to be retried, which would take it as sent. */
    static final class UnremovableObjectException extends IOException {
        UnremovableObjectException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private DamagedSourceException damaged(Handle handle) {
        return new DamagedSourceException(handle.path() + " in " + source.location() + " does not hash to its name:"
                + " the local repository is damaged, and the damaged object was not copied. Run `threefold check"
                + " --read-data` on it and repair it before syncing again");
    }

    /** Throws what the sync stops with if {@code e} will not go away by trying again; returns if it may. */
    private void stopIfPermanent(IOException e) throws IOException {
        String message = String.valueOf(e.getMessage());
        if (e instanceof NoSuchObjectException missing
                && missing.getMessage().contains("missing from " + source.location() + ";")) {
            throw new IOException(missing.getMessage() + "; it was removed from " + source.location()
                    + " while the sync ran (a prune?); sync again", e);
        }
        if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
            throw new TargetFullException(target.location() + " is full (" + message + "). What was sent is complete"
                    + " and the copy is consistent up to its last snapshot; free space there or use a larger disk,"
                    + " then sync again", e);
        }
        if (e instanceof AccessDeniedException || message.contains("Read-only file system")) {
            throw new TargetReadOnlyException(target.location() + " cannot be written (" + message + "); mount the"
                    + " disk writable, or check that it is not write-protected", e);
        }
        if (!transientFailure(e)) {
            throw e;
        }
    }

    private void sleep(Duration wait) throws InterruptedIOException {
        try {
            TimeUnit.MILLISECONDS.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("the sync to " + target.location() + " was stopped");
        }
    }

    private void report() {
        long now = System.nanoTime();
        lastReport.set(now);
        double seconds = (now - sendingSince) / 1e9;
        long bytes = Math.max(0, bytesDone.get());
        double rate = seconds > 0.5 ? bytes / seconds : 0;
        Duration left = rate > 0 ? Duration.ofMillis((long) ((bytesTotal - bytes) / rate * 1000)) : null;
        try {
            progress.accept(new SyncProgress(objectsDone.get(), objectsTotal, bytes, bytesTotal, rate, left));
        } catch (RuntimeException e) {
            log.warn("A sync progress listener failed; the sync goes on", e);
        }
    }

    private void maybeReport() {
        long last = lastReport.get();
        long now = System.nanoTime();
        if (now - last > REPORT_EVERY_NANOS && lastReport.compareAndSet(last, now)) {
            report();
        }
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HEX.formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256, which every JDK must have", e);
        }
    }

    /**
     * An object on its way to the target: paced by the shared throttle, counted for progress,
     * and hashed, so that at its end a wrong hash fails the read and the target stores nothing.
     */
    private final class OutgoingStream extends FilterInputStream implements HashedInput {
        private final Handle handle;
        private final boolean named;
        private final AtomicLong counted;
        private final MessageDigest digest = newSha256();
        private byte[] sha256;

        OutgoingStream(InputStream in, Handle handle, boolean named, AtomicLong counted) {
            super(in);
            this.handle = handle;
            this.named = named;
            this.counted = counted;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("the sync was stopped");
            }
            int n = in.read(buffer, offset, throttle.limited() ? Math.min(length, MAX_READ) : length);
            if (n < 0) {
                if (named && !matchesName()) {
                    throw damaged(handle);
                }
                return n;
            }
            throttle.take(n);
            digest.update(buffer, offset, n);
            counted.addAndGet(n);
            bytesDone.addAndGet(n);
            maybeReport();
            return n;
        }

        /**
         * One array of the exact size, filled with large reads: the inherited version reads 16 KiB
         * at a time and copies the pieces together, which S3 uploads (read whole for their MD5)
         * would pay on every pack.
         */
        @Override
        public byte[] readNBytes(int length) throws IOException {
            if (length < 0) {
                throw new IllegalArgumentException("length must not be negative: " + length);
            }
            byte[] bytes = new byte[length];
            int filled = 0;
            while (filled < length) {
                int n = read(bytes, filled, length - filled);
                if (n < 0) {
                    return Arrays.copyOf(bytes, filled);
                }
                filled += n;
            }
            return bytes;
        }

        @Override
        public long skip(long n) {
            throw new UnsupportedOperationException("an outgoing object is read whole");
        }

        boolean matchesName() {
            return HEX.formatHex(sha256()).equals(handle.name());
        }

        @Override
        public byte[] sha256() {
            if (sha256 == null) {
                sha256 = digest.digest();
            }
            return sha256.clone();
        }
    }
}
