package app.threefold.device;

import java.time.Instant;

/**
 * One snapshot of a device as the catalog summarises it; {@code parent} is null for the first,
 * {@code filesRemoved} counts the parent's files this snapshot no longer has.
 */
public record SnapshotSummary(String id, Instant time, long files, long bytes, long bytesAdded, long filesRemoved, String parent,
                              boolean recovered) {
}
