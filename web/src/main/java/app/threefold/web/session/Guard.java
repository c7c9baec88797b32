package app.threefold.web.session;

import app.threefold.access.People;
import app.threefold.access.Person;
import app.threefold.access.Role;
import app.threefold.web.devicesetup.SetupScriptRoutes;
import app.threefold.web.setup.SetupState;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.RedirectResponse;
import io.javalin.http.UnauthorizedResponse;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * The panel's front door, run before every request outside {@code /api}: until an admin exists
 * everything leads to the setup wizard; afterwards only {@code /healthz}, the login page and
 * static assets are open, and every other route needs a session. State changes need the
 * session's CSRF token (form field {@code _csrf} or header {@code X-CSRF-Token}).
 */
public final class Guard {

    /** Paths anyone may reach, set up or not. */
    static final Set<String> OPEN = Set.of("/healthz", "/favicon.ico");
    static final Set<String> OPEN_PREFIXES = Set.of("/static/", "/webjars/");

    private final Sessions sessions;
    private final SetupState setup;
    private final People people;

    public Guard(Sessions sessions, SetupState setup, People people) {
        this.sessions = sessions;
        this.setup = setup;
        this.people = people;
    }

    public void addTo(RoutesConfig routes) {
        routes.before(this::check);
    }

    /** Whether a path is reachable without logging in (used by the route audit test too). */
    public static boolean open(String path) {
        return OPEN.contains(path) || path.equals("/login") || OPEN_PREFIXES.stream().anyMatch(path::startsWith);
    }

    /**
     * A setup script's single-use link: the computer being set up fetches it without a session
     * (the unguessable link is the secret); it answers 404 or 410 to anything but its one fetch.
     */
    public static boolean oneTimeLink(String path) {
        return path.startsWith(SetupScriptRoutes.LINK_PREFIX);
    }

    private void check(Context ctx) {
        String path = ctx.path();
        if (path.startsWith("/api/") || path.equals("/api") || OPEN.contains(path)
                || OPEN_PREFIXES.stream().anyMatch(path::startsWith) || oneTimeLink(path)) {
            return;
        }
        boolean stateChange = !(ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD
                || ctx.method() == HandlerType.OPTIONS);
        if (!setup.setUp()) {
            // The wizard's two ways: a new appliance, or one restored from a copy (and that restore's progress).
            if (path.equals("/setup") || path.equals("/setup/recover") || path.equals("/setup/recover/progress")) {
                Sessions.Session anonymous = sessions.currentOrAnonymous(ctx);
                ctx.attribute(Access.SESSION, anonymous);
                if (stateChange) {
                    requireCsrf(ctx, anonymous);
                }
                return;
            }
            deny(ctx, "/setup", "Set the appliance up first.");
        }
        Optional<Sessions.Session> session = sessions.current(ctx);
        if (path.equals("/login")) {
            Sessions.Session s = session.orElseGet(() -> sessions.currentOrAnonymous(ctx));
            ctx.attribute(Access.SESSION, s);
            if (stateChange) {
                requireCsrf(ctx, s);
            }
            return;
        }
        if (session.isEmpty() || !session.get().loggedIn()) {
            deny(ctx, "/login" + (ctx.method() == HandlerType.GET && !htmx(ctx) ? "?next=" + next(ctx) : ""),
                    "Log in first.");
        }
        Sessions.Session s = session.get();
        Optional<Person> person = people.find(s.userId());
        if (person.isEmpty()) {
            sessions.logout(ctx);
            deny(ctx, "/login", "Your account no longer exists.");
        }
        ctx.attribute(Access.SESSION, s);
        ctx.attribute(Access.VIEWER, person.get());
        if (stateChange) {
            requireCsrf(ctx, s);
        }
        if (person.get().role() == Role.ADMIN && !path.startsWith("/setup/recovery-kit") && !path.equals("/logout")
                && setup.recoveryKitPending()) {
            deny(ctx, "/setup/recovery-kit", "Confirm that you saved the recovery kit first.");
        }
        if (path.equals("/setup") || path.equals("/setup/recover") || path.equals("/setup/recover/progress")) {
            redirect(ctx, io.javalin.http.HttpStatus.SEE_OTHER, "/");
        }
    }

    private static String next(Context ctx) {
        String target = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        return java.net.URLEncoder.encode(target, StandardCharsets.UTF_8);
    }

    private static boolean htmx(Context ctx) {
        return "true".equals(ctx.header("HX-Request"));
    }

    /** Sends people to {@code target}: a redirect for page loads, 401 with HX-Redirect for HTMX and other calls. */
    private static void deny(Context ctx, String target, String message) {
        if (ctx.method() == HandlerType.GET && !htmx(ctx) && !"text/event-stream".equals(ctx.header("Accept"))) {
            redirect(ctx, io.javalin.http.HttpStatus.FOUND, target);
        }
        ctx.header("HX-Redirect", target);
        throw new UnauthorizedResponse(message);
    }

    /** Ends the request with a redirect; {@code ApiErrors} keeps the Location header of a RedirectResponse. */
    private static void redirect(Context ctx, io.javalin.http.HttpStatus status, String target) {
        ctx.header("Location", target);
        throw new RedirectResponse(status, "Redirecting to " + target);
    }

    private static void requireCsrf(Context ctx, Sessions.Session s) {
        String sent = ctx.header("X-CSRF-Token");
        if (sent == null) {
            sent = ctx.formParam("_csrf");
        }
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                s.csrf().getBytes(StandardCharsets.UTF_8))) {
            throw new ForbiddenResponse("The form has expired or did not come from this appliance; reload the page and try again.");
        }
    }
}
