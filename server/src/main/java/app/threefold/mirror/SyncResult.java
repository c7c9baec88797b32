package app.threefold.mirror;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a sync did: objects and bytes it sent, objects it found already there (sent by an
 * interrupted sync whose record was lost), how many objects the copy holds now, whether it
 * listed the target in full, and how long it took.
 */
public record SyncResult(long objectsSent, long bytesSent, long alreadyThere, long objectsOnTarget, boolean fullListing,
                         Duration took) {

    /** As a job's result: amounts only, never a location's credentials. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("objects", objectsSent);
        map.put("bytes", bytesSent);
        map.put("alreadyThere", alreadyThere);
        map.put("objectsOnTarget", objectsOnTarget);
        map.put("fullListing", fullListing);
        map.put("seconds", took.toMillis() / 1000.0);
        return map;
    }
}
