package app.threefold.web.session;

import io.javalin.http.Context;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Browser sessions kept in memory: an unguessable id in an HttpOnly, SameSite=Strict cookie, a
 * CSRF token per session, and an idle expiry. A restart logs everybody out, which is fine for an
 * appliance. Anonymous sessions carry the CSRF token of the login and setup forms.
 */
public final class Sessions {

    static final String COOKIE = "threefold_session";
    static final Duration IDLE = Duration.ofHours(12);

    /** One browser's session; {@code userId} 0 until someone logs in. */
    public static final class Session {
        final String id;
        final long userId;
        final String csrf;
        volatile Instant expires;
        final Map<String, Object> data = new ConcurrentHashMap<>();

        Session(String id, long userId, String csrf, Instant expires) {
            this.id = id;
            this.userId = userId;
            this.csrf = csrf;
            this.expires = expires;
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

        /** Values kept for the rest of the session (e.g. the recovery password until it is confirmed). */
        public Map<String, Object> data() {
            return data;
        }
    }

    private final Clock clock;
    private final SecureRandom random;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public Sessions(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    /** The request's live session, renewed; empty without a cookie or once it expired. */
    public Optional<Session> current(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        Instant now = clock.instant();
        if (s == null || s.expires.isBefore(now)) {
            if (s != null) {
                sessions.remove(id);
            }
            return Optional.empty();
        }
        s.expires = now.plus(IDLE);
        return Optional.of(s);
    }

    /** The current session, or a new anonymous one (with its cookie set). */
    public Session currentOrAnonymous(Context ctx) {
        return current(ctx).orElseGet(() -> start(ctx, 0));
    }

    /** Replaces any session with a new one for {@code userId}: a new id, so a planted id is useless. */
    public Session login(Context ctx, long userId) {
        current(ctx).ifPresent(s -> sessions.remove(s.id));
        return start(ctx, userId);
    }

    public void logout(Context ctx) {
        current(ctx).ifPresent(s -> sessions.remove(s.id));
        ctx.res().addHeader("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    }

    /**
     * Ends every session of {@code userId} but {@code keep} (may be null): after their account is
     * removed or their password reset, nobody stays logged in with the old one.
     */
    public void endAll(long userId, Session keep) {
        sessions.values().removeIf(s -> s.userId == userId && s != keep);
    }

    private Session start(Context ctx, long userId) {
        expireOld();
        Session s = new Session(token(), userId, token(), clock.instant().plus(IDLE));
        sessions.put(s.id, s);
        ctx.res().addHeader("Set-Cookie", COOKIE + "=" + s.id + "; Path=/; Max-Age=" + IDLE.toSeconds()
                + "; HttpOnly; SameSite=Strict");
        return s;
    }

    private void expireOld() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> s.expires.isBefore(now));
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
