package app.threefold.snapshot;

import app.threefold.format.Id;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot file's content, restic-compatible. A device's backups are the snapshots whose
 * {@code hostname} is the device name. {@code id} is the storage id (null until saved).
 */
public record Snapshot(Id id, Instant time, Id parent, Id tree, List<String> paths, String hostname,
                       String username, List<String> tags) {

    public Snapshot {
        paths = List.copyOf(paths);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public Snapshot withId(Id newId) {
        return new Snapshot(newId, time, parent, tree, paths, hostname, username, tags);
    }
}
