package app.threefold.web.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@value #MAX_FAILURES} failed logins within
 * {@link #WINDOW} from one address, or for one account name, further attempts are refused until
 * the oldest failure leaves the window.
 */
public final class LoginThrottle {

    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(15);

    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long to wait before trying again, if attempts from this address or for this name are blocked. */
    public Optional<Duration> blocked(String address, String name) {
        Instant now = clock.instant();
        return wait("ip:" + address, now).or(() -> wait("name:" + name, now));
    }

    private Optional<Duration> wait(String key, Instant now) {
        Deque<Instant> list = failures.get(key);
        if (list == null) {
            return Optional.empty();
        }
        synchronized (list) {
            while (!list.isEmpty() && list.peekFirst().plus(WINDOW).isBefore(now)) {
                list.pollFirst();
            }
            if (list.size() < MAX_FAILURES) {
                return Optional.empty();
            }
            return Optional.of(Duration.between(now, list.peekFirst().plus(WINDOW)));
        }
    }

    public void failed(String address, String name) {
        Instant now = clock.instant();
        for (String key : new String[] {"ip:" + address, "name:" + name}) {
            Deque<Instant> list = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
            synchronized (list) {
                list.addLast(now);
                while (list.size() > MAX_FAILURES) {
                    list.pollFirst();
                }
            }
        }
    }

    public void succeeded(String name) {
        failures.remove("name:" + name);
    }
}
