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
 * <p>Each door calls {@link #attempt} before it checks the credentials and then exactly one of
 * {@link #succeeded}, {@link #failed} or {@link #abandoned}. Once an address or name has failed,
 * its attempts still being checked count as failures too, so guesses sent in parallel on many
 * connections cannot slip past the limit; before any failure they do not, so a client that opens
 * several connections at once (rclone does) is never refused. Refused attempts are not counted: a
 * block ends on time even while the guessing goes on. The counts live in memory; a restart
 * forgets them, and an address or name whose last failure left the window is forgotten at a later
 * login attempt (looked for at most once a minute), so addresses that tried once and went away do
 * not pile up.
 */
public final class LoginThrottle {

    public static final int MAX_FAILURES = 5;
    public static final Duration WINDOW = Duration.ofMinutes(15);
    // Keeps memory bounded against guesses for ever new names; expired entries go first.
    private static final int PRUNE_ABOVE = 10_000;
    // Scanners try once and never come back; their expired records go at the next attempt after this.
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
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

    /**
     * Attempts are refused until {@code until}, because of failures from the address or for the
     * name; {@code refusal} counts the refused attempts of this block (1 for the first), so that
     * doors can put the first in the activity log and the rest only in the log file.
     */
    public record Block(Instant until, boolean byAddress, int refusal) {
        /** Whether this is the block's first refused attempt. */
        public boolean first() {
            return refusal == 1;
        }

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

    /** One address's or name's recent failures, oldest first, and its attempts being checked. */
    private static final class Record {
        final Deque<Failure> failures = new ArrayDeque<>();
        int inFlight;
        int refused;
    }

    private final Clock clock;
    private final Map<String, Record> records = new HashMap<>();
    private Instant nextSweep = Instant.MIN;

    public LoginThrottle(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Call before checking the credentials. Returns the block if the attempt is refused: do not
     * check the credentials then, and call nothing else. Otherwise check them and report the
     * outcome with {@link #succeeded}, {@link #failed} or {@link #abandoned}.
     */
    public synchronized Optional<Block> attempt(Attempt attempt) {
        Instant now = clock.instant();
        forgetExpired(now);
        Optional<Block> block = block(attempt, now, true);
        if (block.isEmpty()) {
            for (String key : keys(attempt)) {
                records.computeIfAbsent(key, k -> new Record()).inFlight++;
            }
        }
        return block;
    }

    /**
     * Drops the records whose failures all left the window and that no attempt is using: once a
     * minute, or at every attempt while guesses for ever new names fill the map.
     */
    private void forgetExpired(Instant now) {
        if (now.isBefore(nextSweep) && records.size() <= PRUNE_ABOVE) {
            return;
        }
        nextSweep = now.plus(SWEEP_EVERY);
        Instant cutoff = now.minus(WINDOW);
        records.values().removeIf(r -> r.inFlight == 0
                && (r.failures.isEmpty() || !r.failures.peekLast().time().isAfter(cutoff)));
    }

    /**
     * Whether attempts from this address, or for this name, are refused now, without counting a
     * failure: for logins that cannot be guessed (a public key) but must still respect a block.
     */
    public synchronized Optional<Block> blocked(Attempt attempt) {
        Instant now = clock.instant();
        forgetExpired(now);
        return block(attempt, now, false);
    }

    /** The credentials were right: the name's count starts again (the address keeps its failures). */
    public synchronized void succeeded(Attempt attempt) {
        settle(attempt);
        if (attempt.name() != null) {
            records.remove(nameKey(attempt.realm(), attempt.name()));
        }
    }

    /** The credentials were wrong. */
    public synchronized void failed(Attempt attempt) {
        settle(attempt);
        Failure failure = new Failure(clock.instant(), attempt.address());
        for (String key : keys(attempt)) {
            records.computeIfAbsent(key, k -> new Record()).failures.addLast(failure);
        }
    }

    /** The credentials could not be checked (an error): the attempt counts neither way. */
    public synchronized void abandoned(Attempt attempt) {
        settle(attempt);
    }

    /** The addresses and names it keeps records of now (for tests: that it forgets). */
    synchronized java.util.Set<String> remembered() {
        return java.util.Set.copyOf(records.keySet());
    }

    /** The name's failed logins within the window, for the page that shows the device or person. */
    public synchronized Failures failures(Realm realm, String name) {
        Instant now = clock.instant();
        Record record = recent(nameKey(realm, name), now);
        if (record == null || record.failures.isEmpty()) {
            return Failures.NONE;
        }
        LinkedHashSet<String> addresses = new LinkedHashSet<>();
        record.failures.forEach(f -> addresses.add(f.address()));
        Optional<Instant> until = record.failures.size() >= MAX_FAILURES
                ? Optional.of(until(record)) : Optional.empty();
        return new Failures(record.failures.size(), List.copyOf(addresses), until);
    }

    private void settle(Attempt attempt) {
        for (String key : keys(attempt)) {
            Record record = records.get(key);
            if (record != null && record.inFlight > 0) {
                record.inFlight--;
            }
            // A success leaves nothing to remember about the address unless it has failed before.
            if (record != null && record.inFlight == 0 && record.failures.isEmpty()) {
                records.remove(key);
            }
        }
    }

    /** The block an attempt meets, counted as one more refusal; {@code countInFlight} for password attempts. */
    private Optional<Block> block(Attempt attempt, Instant now, boolean countInFlight) {
        Optional<Block> address = block(addressKey(attempt.address()), now, countInFlight, true);
        if (address.isPresent() || attempt.name() == null) {
            return address;
        }
        return block(nameKey(attempt.realm(), attempt.name()), now, countInFlight, false);
    }

    private Optional<Block> block(String key, Instant now, boolean countInFlight, boolean byAddress) {
        Record record = recent(key, now);
        if (record == null || record.failures.isEmpty()) {
            return Optional.empty();
        }
        int count = record.failures.size() + (countInFlight ? record.inFlight : 0);
        if (count < MAX_FAILURES) {
            record.refused = 0;
            return Optional.empty();
        }
        record.refused++;
        return Optional.of(new Block(until(record), byAddress, record.refused));
    }

    /**
     * When the oldest failure that makes the block leaves the window. While attempts are still
     * being checked this is the latest the block can last; it ends sooner if they succeed.
     */
    private static Instant until(Record record) {
        int extra = Math.max(0, record.failures.size() - MAX_FAILURES);
        return record.failures.stream().skip(extra).findFirst().orElseThrow().time().plus(WINDOW);
    }

    /** The key's record with failures older than the window dropped, or null (and forgotten) if nothing is left. */
    private Record recent(String key, Instant now) {
        Record record = records.get(key);
        if (record == null) {
            return null;
        }
        Instant cutoff = now.minus(WINDOW);
        while (!record.failures.isEmpty() && !record.failures.peekFirst().time().isAfter(cutoff)) {
            record.failures.pollFirst();
        }
        if (record.failures.isEmpty() && record.inFlight == 0) {
            records.remove(key);
            return null;
        }
        return record;
    }

    private static List<String> keys(Attempt attempt) {
        return attempt.name() == null ? List.of(addressKey(attempt.address()))
                : List.of(addressKey(attempt.address()), nameKey(attempt.realm(), attempt.name()));
    }

    private static String addressKey(String address) {
        return "address " + address;
    }

    private static String nameKey(Realm realm, String name) {
        String bounded = name.length() > MAX_NAME_CHARS ? name.substring(0, MAX_NAME_CHARS) : name;
        return realm + " " + bounded;
    }
}
