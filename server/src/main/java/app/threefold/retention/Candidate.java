package app.threefold.retention;

import java.time.OffsetDateTime;

/**
 * A snapshot as retention sees it: its id (hex), its time with the offset its file records (restic
 * counts hours, days, weeks, months and years in that offset), and whether it is pinned.
 */
public record Candidate(String id, OffsetDateTime time, boolean pinned, String label) {
}
