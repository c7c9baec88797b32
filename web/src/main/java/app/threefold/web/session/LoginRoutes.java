package app.threefold.web.session;

import app.threefold.account.Accounts;
import app.threefold.account.AdminUser;
import app.threefold.audit.AuditLog;
import app.threefold.login.LoginThrottle;
import app.threefold.login.LoginThrottle.Attempt;
import app.threefold.login.LoginThrottle.Block;
import app.threefold.login.LoginThrottle.Realm;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET/POST /login} and {@code POST /logout}. */
public final class LoginRoutes {

    private static final Logger log = LoggerFactory.getLogger(LoginRoutes.class);

    /** The login form's model. */
    public record LoginPage(Layout layout, String error, String name, String next) {
    }

    private final Accounts accounts;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final Clock clock;
    private final Pages pages;

    public LoginRoutes(Accounts accounts, Sessions sessions, LoginThrottle throttle, AuditLog audit, Clock clock, Pages pages) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.throttle = throttle;
        this.audit = audit;
        this.clock = clock;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/login", ctx -> {
            if (Access.session(ctx).loggedIn()) {
                ctx.redirect("/", HttpStatus.SEE_OTHER);
                return;
            }
            show(ctx, null, "", safeNext(ctx.queryParam("next")));
        });
        routes.post("/login", this::login);
        routes.post("/logout", ctx -> {
            audit.record(Access.viewer(ctx).name(), "logout", Map.of());
            sessions.logout(ctx);
            ctx.redirect("/login", HttpStatus.SEE_OTHER);
        });
    }

    private void show(Context ctx, String error, String name, String next) {
        pages.render(ctx, "login.jte", new LoginPage(Layout.anonymous("Log in", Access.session(ctx).csrf()), error,
                name, next));
    }

    private void login(Context ctx) {
        String name = Optional.ofNullable(ctx.formParam("name")).orElse("").trim();
        String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        String next = safeNext(ctx.formParam("next"));
        String address = ctx.ip();
        Attempt attempt = new Attempt(address, Realm.PEOPLE, name);
        Optional<Block> block = throttle.attempt(attempt);
        if (block.isPresent()) {
            log.warn("Panel login refused for '{}' from {}: blocked until {} after too many failed logins", name, address,
                    block.get().until());
            if (block.get().first()) {
                audit.record(name, "login.blocked", Map.of("address", address, "until", block.get().until().toString()));
            }
            ctx.status(HttpStatus.TOO_MANY_REQUESTS);
            ctx.header("Retry-After", String.valueOf(block.get().retryAfterSeconds(clock.instant())));
            show(ctx, "Too many failed logins. Wait " + (block.get().retryAfterSeconds(clock.instant()) + 59) / 60
                    + " minutes, then try again.", name, next);
            return;
        }
        Optional<AdminUser> user;
        try {
            user = accounts.verifyLogin(name, password.toCharArray());
        } catch (RuntimeException e) {
            throttle.abandoned(attempt);
            throw e;
        }
        if (user.isEmpty()) {
            throttle.failed(attempt);
            log.warn("Panel login failed for '{}' from {}: wrong name or password", name, address);
            audit.record(name.isEmpty() ? "(no name)" : name, "login.failed", Map.of("address", address));
            ctx.status(HttpStatus.UNAUTHORIZED);
            show(ctx, "Wrong name or password.", name, next);
            return;
        }
        throttle.succeeded(attempt);
        sessions.login(ctx, user.get().id());
        audit.record(name, "login.ok", Map.of("address", address));
        ctx.redirect(next, HttpStatus.SEE_OTHER);
    }

    /** Only local paths: an attacker's link must not bounce a fresh login to another site. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")
                || next.startsWith("/login")) {
            return "/";
        }
        return next;
    }
}
