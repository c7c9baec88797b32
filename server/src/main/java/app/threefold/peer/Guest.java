package app.threefold.peer;

import java.time.Instant;
import java.util.List;

/**
 * Another appliance keeping its copy on this one (B's side): its SFTP account, the space it may
 * use, when it was last seen and the deletions it asked for that wait for the grace period.
 *
 * @param lastContact null until its first login with its key
 * @param unpaired    null while paired; set, every login is refused and its folder waits for the owner
 */
public record Guest(String user, String name, String keyFingerprint, String hostKey, long quota, long usage, Instant created,
        Instant lastContact, Instant unpaired, List<Deletion> pendingDeletions) {

    /** A file the guest asked to remove, kept and readable until {@code due}. */
    public record Deletion(String path, Instant requested, Instant due) {
    }

    public boolean paired() {
        return unpaired == null;
    }
}
