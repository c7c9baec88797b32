package app.threefold.web.session;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses state changes that another web site makes a browser send with this appliance's
 * credentials: a request that carries what a browser attaches by itself (the session cookie, or
 * HTTP Basic credentials it remembers) and an {@code Origin} header naming another site answers
 * 403. Scripts send no {@code Origin}; bearer tokens are never attached by a browser on its own,
 * so token requests pass. Runs before the CSRF and API checks, as a second line behind them.
 */
public final class ForeignOrigins {

    private static final Set<HandlerType> SAFE = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

    private ForeignOrigins() {
    }

    public static void addTo(RoutesConfig routes) {
        routes.before(ForeignOrigins::check);
    }

    private static void check(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || SAFE.contains(ctx.method()) || !ambientCredentials(ctx) || sameOrigin(ctx, origin)) {
            return;
        }
        throw new ForbiddenResponse("Refused: this request came from another web site (" + origin + "). Use the"
                + " appliance's own pages, or call the API from a script (without an Origin header) or with a Bearer token.");
    }

    private static boolean ambientCredentials(Context ctx) {
        String authorization = ctx.header("Authorization");
        return ctx.cookie(Sessions.COOKIE) != null
                || authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
    }

    /** Whether {@code origin} names the host and port the request was sent to (a proxy's forwarded host counts). */
    private static boolean sameOrigin(Context ctx, String origin) {
        URI uri;
        try {
            uri = URI.create(origin.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        // "null" (sandboxed frames, privacy redirects) has no host and never matches.
        if (uri.getHost() == null || uri.getScheme() == null) {
            return false;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String forwarded = ctx.header("X-Forwarded-Host");
        for (String host : new String[] {ctx.header("Host"), forwarded == null ? null : forwarded.split(",")[0].strip()}) {
            if (host != null && authority(uri.getHost(), port).equals(authority(host, port))) {
                return true;
            }
        }
        return false;
    }

    /** {@code host:port} in lower case, taking the port from {@code hostHeader} when it names one. */
    private static String authority(String hostHeader, int defaultPort) {
        String h = hostHeader.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        boolean hasPort = colon > h.lastIndexOf(']') && colon >= 0;
        return hasPort ? h : h + ":" + defaultPort;
    }
}
