package app.threefold.web.setup;

import app.threefold.account.AccountException;
import app.threefold.account.Accounts;
import app.threefold.account.AdminUser;
import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.snapshots.SnapshotCatalog;
import app.threefold.web.session.Access;
import app.threefold.web.session.Sessions;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ConflictResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The first-run wizard: the first admin account and the repository password (typed or
 * generated), then the printable recovery kit, which the admin must confirm having saved
 * before the panel opens.
 */
public final class SetupRoutes {

    /** The wizard's first page. */
    public record SetupPage(Layout layout, String error, String name, boolean repositoryExists) {
    }

    /** The recovery kit page; {@code pending} while the admin has not yet confirmed keeping it. */
    public record RecoveryKitPage(Layout layout, RecoveryKit kit, boolean pending) {
    }

    static final String RECOVERY_PASSWORD = "setup.recoveryPassword";
    // Unambiguous characters: no 0/O, 1/l/I, so the kit can be typed back from paper.
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

    private final Accounts accounts;
    private final SetupState state;
    private final Sessions sessions;
    private final EngineHolder engine;
    private final Catalog catalog;
    private final SnapshotCatalog snapshots;
    private final Path dataDir;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random;
    private final Pages pages;

    public SetupRoutes(Accounts accounts, SetupState state, Sessions sessions, EngineHolder engine, Catalog catalog,
                       SnapshotCatalog snapshots, Path dataDir, AuditLog audit, Clock clock, SecureRandom random, Pages pages) {
        this.accounts = accounts;
        this.state = state;
        this.sessions = sessions;
        this.engine = engine;
        this.catalog = catalog;
        this.snapshots = snapshots;
        this.dataDir = dataDir;
        this.audit = audit;
        this.clock = clock;
        this.random = random;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/setup", ctx -> show(ctx, null, ""));
        routes.post("/setup", this::setUp);
        routes.get("/setup/recovery-kit", this::kit);
        routes.get(RecoveryKit.FILE_PATH, this::kitFile);
        routes.post("/setup/recovery-kit", this::confirm);
    }

    private void show(Context ctx, String error, String name) {
        pages.render(ctx, "setup.jte", new SetupPage(Layout.anonymous("Set up Threefold", Access.session(ctx).csrf()),
                error, name, engine.get().isPresent()));
    }

    private synchronized void setUp(Context ctx) throws IOException {
        if (state.setUp()) {
            ctx.redirect("/login", HttpStatus.SEE_OTHER);
            return;
        }
        if (state.recovering()) {
            // It would make a repository, or an admin, in the data directory the recovery is filling.
            throw new ConflictResponse("A restore from a copy is under way in another browser; wait for it to finish,"
                    + " then log in with the admin it creates.");
        }
        String name = Optional.ofNullable(ctx.formParam("name")).orElse("").trim();
        char[] password = Optional.ofNullable(ctx.formParam("password")).orElse("").toCharArray();
        char[] repeat = Optional.ofNullable(ctx.formParam("password2")).orElse("").toCharArray();
        String typed = Optional.ofNullable(ctx.formParam("repositoryPassword")).orElse("");
        try {
            Accounts.checkNewAdmin(name, password);
            if (!Arrays.equals(password, repeat)) {
                throw new AccountException("The two admin passwords differ; type the same password twice.");
            }
            if (!typed.isEmpty() && typed.length() < 12) {
                throw new AccountException("The repository password is too short: use at least 12 characters,"
                        + " or leave it empty to have one generated.");
            }
        } catch (AccountException e) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
            show(ctx, e.getMessage(), name);
            return;
        }
        String recovery = null;
        if (engine.get().isEmpty()) {
            recovery = typed.isEmpty() ? generate() : typed;
            engine.install(Engine.create(dataDir, recovery.toCharArray(), catalog, clock));
        }
        AdminUser admin = accounts.createAdmin(name, password);
        state.setKitConfirmed(recovery == null);
        Sessions.Session session = sessions.login(ctx, admin.id());
        if (recovery != null) {
            session.data().put(RECOVERY_PASSWORD, recovery);
        }
        audit.record(name, "setup", Map.of("repository", recovery == null ? "existing" : "created"));
        ctx.redirect(recovery == null ? "/" : "/setup/recovery-kit", HttpStatus.SEE_OTHER);
    }

    private String generate() {
        StringBuilder s = new StringBuilder();
        for (int group = 0; group < 6; group++) {
            if (group > 0) {
                s.append('-');
            }
            for (int i = 0; i < 5; i++) {
                s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
        }
        return s.toString();
    }

    private RecoveryKit recoveryKit(Context ctx) {
        Access.requireAdmin(ctx);
        Engine e = engine.get().orElseThrow(() -> new IllegalStateException("set up without a repository"));
        Object password = Access.session(ctx).data().get(RECOVERY_PASSWORD);
        return new RecoveryKit(e.repositoryId(), password == null ? null : password.toString(),
                Engine.repositoryDir(dataDir).toAbsolutePath(), Engine.applianceKey(dataDir).toAbsolutePath(),
                snapshots.devices(), clock.instant());
    }

    private void kit(Context ctx) {
        RecoveryKit kit = recoveryKit(ctx);
        pages.render(ctx, "recovery-kit.jte", new RecoveryKitPage(Access.layout(ctx, "Recovery kit", ""), kit,
                state.recoveryKitPending()));
    }

    /** The kit as a text file, to keep beside the printout (or instead of it). */
    private void kitFile(Context ctx) {
        RecoveryKit kit = recoveryKit(ctx);
        ctx.header("Cache-Control", "no-store");
        ctx.header("Content-Disposition", "attachment; filename=\"" + RecoveryKit.FILE_NAME + "\"");
        ctx.contentType("text/plain; charset=utf-8");
        ctx.result(kit.text());
    }

    private void confirm(Context ctx) {
        Access.requireAdmin(ctx);
        if (!"yes".equals(ctx.formParam("saved"))) {
            ctx.redirect("/setup/recovery-kit", HttpStatus.SEE_OTHER);
            return;
        }
        state.setKitConfirmed(true);
        Access.session(ctx).data().remove(RECOVERY_PASSWORD);
        audit.record(Access.viewer(ctx).name(), "setup.recovery-kit-confirmed", Map.of());
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }

}
