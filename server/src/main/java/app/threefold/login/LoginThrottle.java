package app.threefold.login;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one rule against password guessing, shared by the panel's {@code /login}, the JSON API and
 * SFTP: after {@value #MAX_FAILURES} failed logins within {@link #WINDOW} from one address, or for
 * one name, further attempts from that address or for that name are refused, even with the right
 * password, until the oldest of those failures leaves the window.
 *
 * <p>An attempt counts as failed from the moment it is {@linkplain #attempt admitted} until
 * {@link #succeeded} forgives it, so guesses sent in parallel on many connections count as well
 * as guesses sent one after another. Refused attempts are not counted: a block ends on time even
 * while the guessing goes on. The counts live in memory; a restart forgets them.
 */
public final class LoginThrottle {

    public static final int MAX_FAILURES = 5;
    public static final Duration WINDOW = Duration.ofMinutes(15);
    // Keeps memory bounded against guesses for ever new names; expired entries go first.
    private static final int PRUNE_ABOVE = 10_000;
    private static final int MAX_NAME_CHARS = 256;

    /** Whose names an attempt uses: people (panel and API) and devices (SFTP) may share a name. */
    public enum Realm { PEOPLE, DEVICES }

    /**
     * One login attempt: from which address, and for which name of which realm; {@code name} is
     * null when the attempt names nobody (an API token).
     */
    public record Attempt(String address, Realm realm, String name) {
        public Attempt {
            Objects.requireNonNull(address);
            Objects.requireNonNull(realm);
        }
    }

    /** Attempts are refused until {@code until}, because of too many failures from the address or for the name. */
    public record Block(Instant until, boolean byAddress) {
        /** Whole seconds to wait, at least one: what an HTTP {@code Retry-After} says. */
        public long retryAfterSeconds(Instant now) {
            return Math.max(1, (Duration.between(now, until).toMillis() + 999) / 1000);
        }
    }

    /**
     * A name's failed logins within the window: how many, from which addresses (first seen first),
     * and until when further attempts for it are refused, if they are.
     */
    public record Failures(int count, List<String> addresses, Optional<Instant> blockedUntil) {
        public static final Failures NONE = new Failures(0, List.of(), Optional.empty());
    }

    private record Failure(Instant time, String address) {
    }

    private final Clock clock;
    private final Map<String, Deque<Failure>> failures = new HashMap<>();

    public LoginThrottle(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Call before checking the credentials. Returns the block if the attempt is refused (do not
     * check the credentials then); otherwise counts the attempt as failed until {@link #succeeded}.
     */
    public synchronized Optional<Block> attempt(Attempt attempt) {
        Instant now = clock.instant();
        Optional<Block> block = block(attempt, now);
        if (block.isEmpty()) {
            Failure failure = new Failure(now, attempt.address());
            list(addressKey(attempt.address())).addLast(failure);
            if (attempt.name() != null) {
                list(nameKey(attempt.realm(), attempt.name())).addLast(failure);
            }
            if (failures.size() > PRUNE_ABOVE) {
                Instant cutoff = now.minus(WINDOW);
                failures.values().removeIf(list -> !list.peekLast().time().isAfter(cutoff));
            }
        }
        return block;
    }

    /**
     * Whether attempts from this address, or for this name, are refused now, without counting
     * anything: for logins that cannot be guessed (a public key) but must still respect a block.
     */
    public synchronized Optional<Block> blocked(Attempt attempt) {
        return block(attempt, clock.instant());
    }

    /** The credentials of an {@linkplain #attempt admitted} attempt were right: it was no failure, and the name's count starts again. */
    public synchronized void succeeded(Attempt attempt) {
        Deque<Failure> list = failures.get(addressKey(attempt.address()));
        if (list != null) {
            // The newest is as good as the one admitted: only the count matters.
            list.pollLast();
            if (list.isEmpty()) {
                failures.remove(addressKey(attempt.address()));
            }
        }
        if (attempt.name() != null) {
            failures.remove(nameKey(attempt.realm(), attempt.name()));
        }
    }

    /** The name's failed logins within the window, for the page that shows the device or person. */
    public synchronized Failures failures(Realm realm, String name) {
        Instant now = clock.instant();
        Deque<Failure> list = recent(nameKey(realm, name), now);
        if (list == null) {
            return Failures.NONE;
        }
        LinkedHashSet<String> addresses = new LinkedHashSet<>();
        list.forEach(f -> addresses.add(f.address()));
        return new Failures(list.size(), List.copyOf(addresses), until(list));
    }

    private Optional<Block> block(Attempt attempt, Instant now) {
        Optional<Instant> address = until(recent(addressKey(attempt.address()), now));
        if (address.isPresent()) {
            return Optional.of(new Block(address.get(), true));
        }
        if (attempt.name() == null) {
            return Optional.empty();
        }
        return until(recent(nameKey(attempt.realm(), attempt.name()), now)).map(t -> new Block(t, false));
    }

    /**
     * When the list stops blocking, if it blocks now: when its oldest failure leaves the window
     * (a list never holds more than {@value #MAX_FAILURES}, as refused attempts are not added).
     */
    private static Optional<Instant> until(Deque<Failure> list) {
        if (list == null || list.size() < MAX_FAILURES) {
            return Optional.empty();
        }
        return Optional.of(list.peekFirst().time().plus(WINDOW));
    }

    /** The key's failures still in the window, or null (and the key forgotten) if there are none. */
    private Deque<Failure> recent(String key, Instant now) {
        Deque<Failure> list = failures.get(key);
        if (list == null) {
            return null;
        }
        Instant cutoff = now.minus(WINDOW);
        while (!list.isEmpty() && !list.peekFirst().time().isAfter(cutoff)) {
            list.pollFirst();
        }
        if (list.isEmpty()) {
            failures.remove(key);
            return null;
        }
        return list;
    }

    private Deque<Failure> list(String key) {
        return failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    }

    private static String addressKey(String address) {
        return "address " + address;
    }

    private static String nameKey(Realm realm, String name) {
        String bounded = name.length() > MAX_NAME_CHARS ? name.substring(0, MAX_NAME_CHARS) : name;
        return realm + " " + bounded;
    }
}
