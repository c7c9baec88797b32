package app.threefold.snapshot;

import java.time.Instant;

/**
 * A snapshot's summary row in the catalog: ids in hex ({@code parent} null for a device's first),
 * what the ingest counted, and {@code recovered} for a snapshot saved from the journal of an SFTP
 * session that a crash or power loss cut off (it holds only the uploads that had finished).
 */
public record SnapshotRow(String id, String device, Instant time, String parent, String tree, Counts counts,
                          boolean recovered) {

    /**
     * What a snapshot holds and what it changed: its files and their bytes, the bytes it added to
     * the repository, and its files compared with the parent's (new, changed, unchanged, removed).
     */
    public record Counts(long files, long bytes, long bytesAdded, long filesNew, long filesChanged, long filesUnchanged,
                         long filesRemoved) {
    }
}
