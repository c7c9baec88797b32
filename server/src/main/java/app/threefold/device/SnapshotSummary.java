package app.threefold.device;

import java.time.Instant;

/** One snapshot of a device as the catalog summarises it; {@code parent} is null for the first. */
public record SnapshotSummary(String id, Instant time, long files, long bytes, long bytesAdded, String parent, boolean recovered) {
}
