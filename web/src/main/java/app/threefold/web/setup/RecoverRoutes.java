package app.threefold.web.setup;

import app.threefold.account.AccountException;
import app.threefold.account.Accounts;
import app.threefold.account.AdminUser;
import app.threefold.audit.AuditLog;
import app.threefold.engine.EngineHolder;
import app.threefold.mirror.BucketSettings;
import app.threefold.mirror.SyncProgress;
import app.threefold.recovery.Recovery;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.session.Sessions;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wizard's other way: "Restore this appliance from a copy". The admin names the copy (a
 * bucket or a folder), the recovery kit's password and the new first admin; the recovery runs in
 * the background while the page shows its progress, and the panel opens once it is done.
 */
public final class RecoverRoutes {

    private static final Logger log = LoggerFactory.getLogger(RecoverRoutes.class);

    /** The form's values as typed (never the passwords), so a refused form comes back filled in. */
    public record Form(String name, String kind, String endpoint, String region, String bucket, String prefix,
                       String accessKey, String folder) {
        static final Form EMPTY = new Form("", "s3", "", "", "", "threefold", "", "");
    }

    /** A recovery under way or over: its phases so far, the copy's progress, and how it ended. */
    public record Progress(List<String> phases, String copying, boolean done, String error, String summary) {
    }

    /** The page: the form, or the recovery's progress once one started. */
    public record RecoverPage(Layout layout, Form form, String error, Progress progress) {
    }

    private final class Run implements Recovery.Listener {
        /** The session that started it: only that browser sees the progress and is logged in as the new admin. */
        final String owner;
        final List<String> phases = new ArrayList<>();
        volatile String copying = "";
        volatile boolean done;
        volatile String error;
        volatile String summary;
        /** The new admin, created in the browser's request once the recovery is done, so it logs that browser in. */
        String adminName;
        char[] adminPassword;

        Run(String owner) {
            this.owner = owner;
        }

        @Override
        public synchronized void phase(String text) {
            phases.add(text);
        }

        @Override
        public void copying(SyncProgress p) {
            copying = String.format(Locale.ROOT, "%d of %d objects, %.1f of %.1f MB (%.1f MB/s)", p.objectsDone(),
                    p.objectsTotal(), p.bytesDone() / 1e6, p.bytesTotal() / 1e6, p.bytesPerSecond() / 1e6);
        }

        synchronized Progress view() {
            return new Progress(List.copyOf(phases), copying, done, error, summary);
        }
    }

    private final Recovery recovery;
    private final Accounts accounts;
    private final SetupState state;
    private final EngineHolder engine;
    private final AuditLog audit;
    private final Sessions sessions;
    private final Pages pages;
    private final AtomicReference<Run> running = new AtomicReference<>();

    public RecoverRoutes(Recovery recovery, Accounts accounts, SetupState state, Sessions sessions, EngineHolder engine,
                         AuditLog audit, Pages pages) {
        this.recovery = recovery;
        this.sessions = sessions;
        this.accounts = accounts;
        this.state = state;
        this.engine = engine;
        this.audit = audit;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/setup/recover", ctx -> {
            if (closed(ctx)) {
                return;
            }
            show(ctx, Form.EMPTY, null);
        });
        routes.post("/setup/recover", this::start);
        routes.get("/setup/recover/progress", ctx -> {
            Run run = running.get();
            if (run == null) {
                ctx.redirect("/setup/recover", HttpStatus.SEE_OTHER);
                return;
            }
            requireOwner(ctx, run);
            finish(ctx, run);
            pages.render(ctx, "setup-recover-progress.jte", run.view());
        });
    }

    /** Once the appliance is set up, or has a repository of its own, there is nothing to recover into. */
    private boolean closed(Context ctx) {
        Run run = running.get();
        if (state.setUp()) {
            ctx.redirect("/login", HttpStatus.SEE_OTHER);
            return true;
        }
        if (engine.get().isPresent() && run == null) {
            ctx.redirect("/setup", HttpStatus.SEE_OTHER);
            return true;
        }
        return false;
    }

    /** Another browser learns nothing of a recovery it did not start, and cannot take over its result. */
    private static void requireOwner(Context ctx, Run run) {
        if (!run.owner.equals(Access.session(ctx).key())) {
            throw new ForbiddenResponse("A restore from a copy is under way in another browser; wait for it to finish,"
                    + " then log in with the admin it creates.");
        }
    }

    /** Once the recovery is done: the admin is created and this browser logged in, once. */
    private synchronized void finish(Context ctx, Run run) {
        if (!run.done || run.error != null || run.adminName == null) {
            return;
        }
        AdminUser admin = accounts.createAdmin(run.adminName, run.adminPassword);
        // The admin has the kit already: it is what opened the copy.
        state.setKitConfirmed(true);
        state.setRecovering(false);
        Arrays.fill(run.adminPassword, '\0');
        run.adminName = null;
        run.adminPassword = null;
        sessions.login(ctx, admin.id());
    }

    private void show(Context ctx, Form form, String error) {
        Run run = running.get();
        if (run != null && run.error != null && !run.owner.equals(Access.session(ctx).key())) {
            // Someone else's failed attempt: this browser may start its own, and need not read that one's error.
            run = null;
        }
        if (run != null) {
            requireOwner(ctx, run);
            finish(ctx, run);
        }
        pages.render(ctx, "setup-recover.jte", new RecoverPage(Layout.anonymous("Restore Threefold from a copy",
                Access.session(ctx).csrf()), form, error, run == null ? null : run.view()));
    }

    private synchronized void start(Context ctx) {
        if (closed(ctx)) {
            return;
        }
        Run previous = running.get();
        if (previous != null && previous.error == null) {
            requireOwner(ctx, previous);
            ctx.redirect("/setup/recover", HttpStatus.SEE_OTHER);
            return;
        }
        Form form = new Form(param(ctx, "name"), param(ctx, "kind"), param(ctx, "endpoint"), param(ctx, "region"),
                param(ctx, "bucket"), param(ctx, "prefix"), param(ctx, "accessKey"), param(ctx, "folder"));
        char[] adminPassword = param(ctx, "password").toCharArray();
        char[] repeat = param(ctx, "password2").toCharArray();
        char[] repositoryPassword = Optional.ofNullable(ctx.formParam("repositoryPassword")).orElse("").toCharArray();
        String secretKey = Optional.ofNullable(ctx.formParam("secretKey")).orElse("");
        try {
            Accounts.checkNewAdmin(form.name(), adminPassword);
            if (!Arrays.equals(adminPassword, repeat)) {
                throw new AccountException("The two admin passwords differ; type the same password twice.");
            }
            if (repositoryPassword.length == 0) {
                throw new AccountException("Type the repository password from the recovery kit.");
            }
            if (!form.kind().equals("s3") && !form.kind().equals("folder")) {
                throw new AccountException("Choose where the copy is: a bucket or a folder.");
            }
        } catch (AccountException e) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
            running.set(null);
            show(ctx, form, e.getMessage());
            return;
        }
        Run run = new Run(Access.session(ctx).key());
        run.adminName = form.name();
        run.adminPassword = adminPassword;
        running.set(run);
        state.setRecovering(true);
        Thread worker = new Thread(() -> recover(run, form, secretKey, repositoryPassword), "recover");
        worker.setDaemon(true);
        worker.start();
        ctx.redirect("/setup/recover", HttpStatus.SEE_OTHER);
    }

    private void recover(Run run, Form form, String secretKey, char[] repositoryPassword) {
        try {
            Recovery.Outcome outcome = form.kind().equals("s3")
                    ? recovery.recoverFromBucket(new BucketSettings(form.endpoint(), form.region(), form.bucket(), form.prefix(),
                    form.accessKey(), secretKey, null, null), repositoryPassword, form.name(), run)
                    : recovery.recoverFromFolder(Path.of(form.folder()), repositoryPassword, form.name(), run);
            engine.install(outcome.engine());
            Recovery.Summary s = outcome.summary();
            audit.record(form.name(), "setup.recovered", Map.of("repository", s.repositoryId(), "snapshots", s.snapshots(),
                    "copy", s.copy().name()));
            run.summary = String.format(Locale.ROOT, "Recovered %d snapshots of %s in %d s.%s%s The copy is now the target '%s'.",
                    s.snapshots(), String.join(", ", concat(s.devices(), s.folders())), s.took().toSeconds(),
                    s.devices().isEmpty() ? "" : " Devices (" + String.join(", ", s.devices()) + ") need their password or"
                            + " key set again before they can back up.",
                    s.folders().isEmpty() ? "" : " Add the NAS's folders (" + String.join(", ", s.folders()) + ") as"
                            + " local sources again to go on backing them up.",
                    s.copy().name());
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("Recovery from a copy failed: {}", e.getMessage(), e);
            run.error = e.getMessage() == null ? e.toString() : e.getMessage();
            state.setRecovering(false);
        } finally {
            run.done = true;
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String param(Context ctx, String name) {
        return Optional.ofNullable(ctx.formParam(name)).orElse("").strip();
    }
}
