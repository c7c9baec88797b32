package app.threefold.mirror;

import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;

/**
 * A token bucket shared by all uploads of a sync, so that the sum of their rates stays at the
 * limit however many run at once. Takers go into debt and sleep it off: each waits until the bytes
 * taken before it and its own have been paid for at the rate, which also serves them in turn.
 * Scrubs read a copy through one too, so that checking a copy never saturates its link.
 */
public final class Throttle {

    static final Throttle NONE = new Throttle(0);
    /** At most this much may be sent at once after an idle spell: a quarter of a second's worth. */
    private static final double BURST_SECONDS = 0.25;

    private final long bytesPerSecond;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    /** @param bytesPerSecond 0 for no limit */
    public Throttle(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("a bandwidth limit must not be negative: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.burst = Math.max(64 << 10, bytesPerSecond * BURST_SECONDS);
    }

    boolean limited() {
        return bytesPerSecond > 0;
    }

    /** Blocks until {@code bytes} may be sent. */
    public void take(long bytes) throws InterruptedIOException {
        if (bytesPerSecond == 0 || bytes <= 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * bytesPerSecond);
            last = now;
            tokens -= bytes;
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens / bytesPerSecond * 1e9);
        }
        if (waitNanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("the sync was stopped");
            }
        }
    }
}
