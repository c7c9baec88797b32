package app.threefold.web.devicesetup;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Single-use links to setup scripts. A script carries a device's private key, so it lives only
 * here, in memory: it is handed out once and forgotten, and forgotten unfetched after
 * {@link #LIFETIME}. It is never written to the data directory or the catalog (a restart loses
 * unfetched scripts; the panel makes a new one in a click). What a link was stays known for a day,
 * so a second fetch hears "already used" or "expired" instead of a bare "not found".
 */
public final class OneTimeLinks {

    /** How long a link works, unfetched. */
    public static final Duration LIFETIME = Duration.ofMinutes(15);
    private static final Duration REMEMBERED = Duration.ofDays(1);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    /** A script as the link hands it out, and the public half of the key inside it, authorized when it is fetched. */
    public record Script(String device, String fileName, String text, String publicKey) {

        @Override
        public String toString() {
            return "Script[" + device + ", " + fileName + "]";
        }
    }

    /** Why a link no longer works; {@code message} says what to do instead. */
    public record Refusal(Reason reason, String message) {
    }

    public enum Reason { USED, EXPIRED, UNKNOWN }

    /** A link's state: the script until it is fetched or expires, then only when that happened. */
    private static final class Entry {
        final Instant made;
        final Instant expires;
        final String device;
        Script script;
        Instant used;

        Entry(Instant made, Instant expires, String device, Script script) {
            this.made = made;
            this.expires = expires;
            this.device = device;
            this.script = script;
        }
    }

    private final Clock clock;
    private final SecureRandom random;
    private final Map<String, Entry> links = new HashMap<>();

    public OneTimeLinks(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    /** Keeps {@code script} behind a new unguessable token (128 random bits) and returns the token. */
    public synchronized String add(Script script) {
        forgetOld();
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        links.put(token, new Entry(now, now.plus(LIFETIME), script.device(), script));
        return token;
    }

    /**
     * Hands out the script once: the first fetch before expiry gets it, and the script is gone
     * from memory at once.
     *
     * @return the script, or why there is none
     */
    public synchronized Optional<Script> take(String token, Consumer<Refusal> refused) {
        forgetOld();
        Entry e = token == null ? null : links.get(token);
        Instant now = clock.instant();
        if (e == null) {
            refused.accept(new Refusal(Reason.UNKNOWN, "This setup link is not known: it may be over a day old, or the NAS"
                    + " restarted since it was made. Make a new one on the device's Connect page (Set up this computer)."));
            return Optional.empty();
        }
        if (e.used != null) {
            refused.accept(new Refusal(Reason.USED, "This setup link was already used at " + WHEN.format(e.used)
                    + "; a link works once. Make a new one for " + e.device + " on its Connect page (Set up this computer)."));
            return Optional.empty();
        }
        if (!now.isBefore(e.expires)) {
            e.script = null;
            refused.accept(new Refusal(Reason.EXPIRED, "This setup link expired at " + WHEN.format(e.expires)
                    + " (links work for " + LIFETIME.toMinutes() + " minutes). Make a new one for " + e.device
                    + " on its Connect page (Set up this computer)."));
            return Optional.empty();
        }
        Script s = e.script;
        e.script = null;
        e.used = now;
        return Optional.of(s);
    }

    private void forgetOld() {
        Instant now = clock.instant();
        links.values().removeIf(e -> e.made.plus(REMEMBERED).isBefore(now));
        links.values().forEach(e -> {
            if (!now.isBefore(e.expires)) {
                e.script = null;
            }
        });
    }
}
