package app.threefold.mirror;

import java.time.Duration;

/**
 * How far a sync is: objects and bytes sent of those it has to send, the rate since it started
 * sending, and the time left at that rate (null until a rate is known).
 */
public record SyncProgress(long objectsDone, long objectsTotal, long bytesDone, long bytesTotal, double bytesPerSecond,
                           Duration left) {
}
