package app.threefold.device;

import java.time.Instant;
import java.util.List;

/** A household machine that backs up over SFTP; {@code quotaBytes} 0 means no quota. */
public record Device(String name, boolean enabled, boolean hasPassword, List<String> keyFingerprints,
                     long quotaBytes, long bytesAdded, Instant created) {

    public Device {
        keyFingerprints = List.copyOf(keyFingerprints);
    }

    /** Bytes this device may still add to the repository; {@code Long.MAX_VALUE} without quota. */
    public long quotaLeft() {
        return quotaBytes <= 0 ? Long.MAX_VALUE : Math.max(0, quotaBytes - bytesAdded);
    }

    /** Whether it has no way to log in: recovered from a copy, its password or key must be set again. */
    public boolean needsLogin() {
        return !hasPassword && keyFingerprints.isEmpty();
    }
}
