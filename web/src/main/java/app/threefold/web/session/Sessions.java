package app.threefold.web.session;

import app.threefold.account.AdminSessions;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Browser sessions: an unguessable id in an HttpOnly, SameSite=Strict cookie, a CSRF token per
 * session, and an idle expiry. They live in the catalog ({@link AdminSessions}) so that a
 * restart of the appliance logs nobody out; the catalog keeps only a SHA-256 of each id, so a
 * copy of the catalog holds no cookie anyone could present. Anonymous sessions carry the CSRF
 * token of the login and setup forms.
 */
public final class Sessions {

    static final String COOKIE = "threefold_session";
    static final Duration IDLE = Duration.ofHours(12);
    /** Expiry is pushed forward at most this often, so a page full of HTMX calls is not a write each. */
    private static final Duration RENEW_EVERY = Duration.ofMinutes(1);

    /** One browser's session; {@code userId} 0 until someone logs in. */
    public static final class Session {
        final String idHash;
        final long userId;
        final String csrf;
        final Map<String, Object> data;

        Session(String idHash, long userId, String csrf, Map<String, Object> data) {
            this.idHash = idHash;
            this.userId = userId;
            this.csrf = csrf;
            this.data = data;
        }

        public long userId() {
            return userId;
        }

        public String csrf() {
            return csrf;
        }

        public boolean loggedIn() {
            return userId != 0;
        }

        /** Names this session without being its cookie (a SHA-256 of the id), to tie work to the browser that started it. */
        public String key() {
            return idHash;
        }

        /**
         * Values kept for the rest of the session in this process's memory only (e.g. the generated
         * recovery password until the kit is confirmed): they never reach the catalog, so a restart forgets them.
         */
        public Map<String, Object> data() {
            return data;
        }
    }

    private final AdminSessions store;
    private final Clock clock;
    private final SecureRandom random;
    /** Per session (by id hash), the values of {@link Session#data()}. */
    private final Map<String, Map<String, Object>> data = new ConcurrentHashMap<>();

    public Sessions(Jdbi jdbi, Clock clock, SecureRandom random) {
        this.store = new AdminSessions(jdbi);
        this.clock = clock;
        this.random = random;
    }

    /** The request's live session, renewed; empty without a cookie or once it expired. */
    public Optional<Session> current(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        String hash = hash(id);
        Instant now = clock.instant();
        Optional<AdminSessions.Row> row = store.find(hash);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        if (row.get().expires().isBefore(now)) {
            remove(hash);
            return Optional.empty();
        }
        Instant renewed = now.plus(IDLE);
        if (Duration.between(row.get().expires(), renewed).compareTo(RENEW_EVERY) >= 0) {
            store.renew(hash, renewed);
        }
        return Optional.of(new Session(hash, row.get().userId(), row.get().csrf(),
                data.computeIfAbsent(hash, k -> new ConcurrentHashMap<>())));
    }

    /** The current session, or a new anonymous one (with its cookie set). */
    public Session currentOrAnonymous(Context ctx) {
        return current(ctx).orElseGet(() -> start(ctx, 0));
    }

    /** Replaces any session with a new one for {@code userId}: a new id, so a planted id is useless. */
    public Session login(Context ctx, long userId) {
        current(ctx).ifPresent(s -> remove(s.idHash));
        return start(ctx, userId);
    }

    public void logout(Context ctx) {
        current(ctx).ifPresent(s -> remove(s.idHash));
        ctx.res().addHeader("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    }

    /**
     * Ends every session of {@code userId} but {@code keep} (may be null): after their account is
     * removed or their password reset, nobody stays logged in with the old one.
     */
    public void endAll(long userId, Session keep) {
        String kept = keep == null ? "" : keep.idHash;
        store.removeAllOf(userId, kept).forEach(data::remove);
    }

    private Session start(Context ctx, long userId) {
        expireOld();
        String id = token();
        String hash = hash(id);
        String csrf = token();
        store.add(hash, userId, csrf, clock.instant().plus(IDLE));
        ctx.res().addHeader("Set-Cookie", COOKIE + "=" + id + "; Path=/; Max-Age=" + IDLE.toSeconds()
                + "; HttpOnly; SameSite=Strict");
        return new Session(hash, userId, csrf, data.computeIfAbsent(hash, k -> new ConcurrentHashMap<>()));
    }

    private void remove(String hash) {
        store.remove(hash);
        data.remove(hash);
    }

    private void expireOld() {
        store.removeExpired(clock.instant()).forEach(data::remove);
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String hash(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
