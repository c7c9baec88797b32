package app.threefold.sources;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A folder on the NAS snapshotted on a schedule. Its snapshots' hostname is {@code name}, so its
 * snapshots are browsed, searched and restore-tested like a device's. {@code lastRun} is null
 * until it first runs.
 */
public record LocalSource(String name, Path path, Schedule schedule, boolean enabled, Instant created, LastRun lastRun) {

    public LocalSource {
        Objects.requireNonNull(name);
        Objects.requireNonNull(path);
        Objects.requireNonNull(schedule);
        Objects.requireNonNull(created);
    }

    /** How the last run went. */
    public enum Status {
        RUNNING, SUCCEEDED,
        /** A snapshot was saved, but some entries could not be read and are missing from it. */
        INCOMPLETE,
        FAILED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status of(String label) {
            return valueOf(label.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * The last run: when it started and ended (null while running), its snapshot (hex id, null if
     * none was saved), what went wrong (null if nothing), and the job that ran it.
     */
    public record LastRun(Instant started, Instant finished, Status status, String snapshot, String error, long job) {
    }

    /** When the next scheduled run is due (in the past: due now); empty while the source is disabled. */
    public java.util.Optional<Instant> nextRun(ZoneId zone) {
        if (!enabled) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(schedule.next(lastRun == null ? null : lastRun.started(), created, zone));
    }
}
