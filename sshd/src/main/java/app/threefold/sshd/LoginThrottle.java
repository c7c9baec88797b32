package app.threefold.sshd;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Failed logins per source address: after {@code maxFailures} within {@code window} the address
 * is refused without checking credentials until the window has passed without new failures.
 */
final class LoginThrottle {
    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new HashMap<>();

    LoginThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    synchronized boolean blocked(String address) {
        Deque<Instant> f = recent(address);
        return f != null && f.size() >= maxFailures;
    }

    synchronized void failed(String address) {
        failures.computeIfAbsent(address, a -> new ArrayDeque<>()).addLast(clock.instant());
        recent(address);
        if (failures.size() > 10_000) {
            failures.keySet().removeIf(a -> recent(a) == null);
        }
    }

    private Deque<Instant> recent(String address) {
        Deque<Instant> f = failures.get(address);
        if (f == null) {
            return null;
        }
        Instant cutoff = clock.instant().minus(window);
        while (!f.isEmpty() && f.peekFirst().isBefore(cutoff)) {
            f.pollFirst();
        }
        if (f.isEmpty()) {
            failures.remove(address);
            return null;
        }
        return f;
    }
}
