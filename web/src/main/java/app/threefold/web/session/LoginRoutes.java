package app.threefold.web.session;

import app.threefold.account.Accounts;
import app.threefold.account.AdminUser;
import app.threefold.audit.AuditLog;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code GET/POST /login} and {@code POST /logout}. */
public final class LoginRoutes {

    /** The login form's model. */
    public record LoginPage(Layout layout, String error, String name, String next) {
    }

    private final Accounts accounts;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final Pages pages;

    public LoginRoutes(Accounts accounts, Sessions sessions, LoginThrottle throttle, AuditLog audit, Pages pages) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.throttle = throttle;
        this.audit = audit;
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
        Optional<Duration> wait = throttle.blocked(address, name);
        if (wait.isPresent()) {
            audit.record(name, "login.blocked", Map.of("address", address));
            ctx.status(HttpStatus.TOO_MANY_REQUESTS);
            show(ctx, "Too many failed logins. Wait " + Math.max(1, wait.get().toMinutes() + 1)
                    + " minutes, then try again.", name, next);
            return;
        }
        Optional<AdminUser> user = accounts.verifyLogin(name, password.toCharArray());
        if (user.isEmpty()) {
            throttle.failed(address, name);
            audit.record(name.isEmpty() ? "(no name)" : name, "login.failed", Map.of("address", address));
            ctx.status(HttpStatus.UNAUTHORIZED);
            show(ctx, "Wrong name or password.", name, next);
            return;
        }
        throttle.succeeded(name);
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
