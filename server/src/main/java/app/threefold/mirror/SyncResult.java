package app.threefold.mirror;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sync did: objects and bytes it sent, objects it found already there (sent by an
 * interrupted sync whose record was lost), how many objects the copy holds now, whether it
 * listed the target in full, and how long it took; and how the copy followed the local
 * repository's deletions: objects and bytes removed, objects still waiting to be removed (their
 * delay not yet passed, or kept because the copy still needs them), when the first of them may
 * go, and why any due object was kept.
 */
public record SyncResult(long objectsSent, long bytesSent, long alreadyThere, long objectsOnTarget, boolean fullListing,
                         Duration took, long objectsRemoved, long bytesRemoved, long waitingRemoval,
                         Instant nextRemoval, long keptNeeded, List<String> keptReasons) {

    public SyncResult {
        keptReasons = List.copyOf(keptReasons);
    }

    /** A sync that removed nothing. */
    public SyncResult(long objectsSent, long bytesSent, long alreadyThere, long objectsOnTarget, boolean fullListing,
                      Duration took) {
        this(objectsSent, bytesSent, alreadyThere, objectsOnTarget, fullListing, took, 0, 0, 0, null, 0, List.of());
    }

    /** As a job's result: amounts only, never a location's credentials. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("objects", objectsSent);
        map.put("bytes", bytesSent);
        map.put("alreadyThere", alreadyThere);
        map.put("objectsOnTarget", objectsOnTarget);
        map.put("fullListing", fullListing);
        map.put("seconds", took.toMillis() / 1000.0);
        map.put("removed", objectsRemoved);
        map.put("removedBytes", bytesRemoved);
        map.put("waitingRemoval", waitingRemoval);
        if (nextRemoval != null) {
            map.put("nextRemoval", nextRemoval.toString());
        }
        map.put("keptNeeded", keptNeeded);
        map.put("keptReasons", keptReasons);
        return map;
    }
}
