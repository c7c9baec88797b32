package app.threefold.mirror;

import java.time.Duration;

/**
 * How often and how patiently one object's upload is tried again after a transient failure (a
 * 5xx, a dropped connection, a timeout): {@code attempts} in all, waiting {@code firstDelay},
 * then twice as long each time up to {@code maxDelay}, with jitter so parallel uploads that
 * failed together do not come back together.
 */
public record Retry(int attempts, Duration firstDelay, Duration maxDelay) {

    /** About two minutes of trying: long enough for a home router's reconnect or a provider's hiccup. */
    public static final Retry DEFAULT = new Retry(8, Duration.ofMillis(500), Duration.ofSeconds(30));

    public Retry {
        if (attempts < 1) {
            throw new IllegalArgumentException("at least one attempt: " + attempts);
        }
        if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("delays must be 0 <= first <= max: " + firstDelay + ", " + maxDelay);
        }
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} failed ones (1-based). */
    Duration delayAfter(int attempt, double jitter) {
        double millis = firstDelay.toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
        millis = Math.min(millis, maxDelay.toMillis());
        return Duration.ofMillis((long) (millis * (0.5 + jitter / 2)));
    }
}
