package app.threefold.web.targets;

import app.threefold.ThreefoldException;
import app.threefold.mirror.BucketSettings;
import app.threefold.mirror.ServerSettings;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.mirror.Target;
import app.threefold.mirror.TargetId;
import app.threefold.mirror.TargetNotFoundException;
import app.threefold.mirror.Targets;
import app.threefold.sources.Schedule;
import app.threefold.web.api.ApiErrors;
import app.threefold.web.page.Format;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.restoretests.JobView;
import app.threefold.web.session.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * {@code /copies}: the other copies of the repository (S3 buckets, folders such as a USB disk, SFTP
 * servers such as a friend's NAS),
 * how far each is behind, adding, changing, testing and removing them, and "Sync now" with live
 * progress (admins only). The NAS's own repository is listed first, as the copy the others copy.
 */
public final class TargetRoutes {

    /** One target as the list and its page show it. */
    public record Row(Target target, String kind, String lastSync, String state, String tone, String error,
                      Long activeJob) {

        public long id() {
            return target.id().value();
        }

        public String name() {
            return target.name();
        }
    }

    /**
     * The add and edit forms' values, as typed, so a refusal does not lose them. The secret key is
     * never put back into a form: on an edit an empty field keeps the stored one.
     */
    public record Form(String name, String endpoint, String region, String bucket, String prefix, String accessKey,
                       boolean pathStyle, String path, String kind, String time, String hours, String mbits,
                       boolean enabled, String delayDays, String host, String port, String user, String hostKey,
                       String keyFile) {

        static final Form EMPTY = new Form("", "", "us-east-1", "", "threefold", "", true, "", "daily", "02:30", "6", "",
                true, String.valueOf(Target.DEFAULT_DELETE_DELAY.toDays()), "", "22", "", "", "");

        /** A bucket's or a folder's form, without an SFTP server's fields. */
        public Form(String name, String endpoint, String region, String bucket, String prefix, String accessKey,
                    boolean pathStyle, String path, String kind, String time, String hours, String mbits, boolean enabled,
                    String delayDays) {
            this(name, endpoint, region, bucket, prefix, accessKey, pathStyle, path, kind, time, hours, mbits, enabled,
                    delayDays, "", "22", "", "", "");
        }

        /** A bucket's or a folder's form with the default delay. */
        public Form(String name, String endpoint, String region, String bucket, String prefix, String accessKey,
                    boolean pathStyle, String path, String kind, String time, String hours, String mbits, boolean enabled) {
            this(name, endpoint, region, bucket, prefix, accessKey, pathStyle, path, kind, time, hours, mbits, enabled,
                    String.valueOf(Target.DEFAULT_DELETE_DELAY.toDays()));
        }

        static Form of(Target t) {
            String time = "02:30";
            String hours = "6";
            String kind = "daily";
            switch (t.schedule()) {
                case Schedule.Daily d -> time = d.at().format(DateTimeFormatter.ofPattern("HH:mm"));
                case Schedule.EveryHours e -> {
                    kind = "hours";
                    hours = String.valueOf(e.hours());
                }
            }
            String mbits = t.bandwidthLimit() == 0 ? "" : trim(t.bandwidthLimit() / (double) TargetInput.BYTES_PER_MBIT);
            Target.S3Location s3 = t.s3();
            String days = t.deleteDelay() == null ? "" : String.valueOf(t.deleteDelay().toDays());
            Target.SftpLocation sftp = t.sftp();
            if (sftp != null) {
                return new Form(t.name(), "", "", "", "", "", true, sftp.path(), kind, time, hours, mbits, t.enabled(),
                        days, sftp.host(), String.valueOf(sftp.port()), sftp.user(), sftp.hostKey(),
                        sftp.keyFile() == null ? "" : sftp.keyFile().toString());
            }
            return s3 == null
                    ? new Form(t.name(), "", "", "", "", "", true, t.folder().toString(), kind, time, hours, mbits,
                    t.enabled(), days)
                    : new Form(t.name(), s3.endpoint().toString(), s3.region(), s3.bucket(), s3.prefix(), s3.accessKey(),
                    s3.pathStyle(), "", kind, time, hours, mbits, t.enabled(), days);
        }

        static Form of(Context ctx) {
            return new Form(field(ctx, "name"), field(ctx, "endpoint"), field(ctx, "region"), field(ctx, "bucket"),
                    field(ctx, "prefix"), field(ctx, "accessKey"), ctx.formParam("pathStyle") != null, field(ctx, "path"),
                    field(ctx, "kind"), field(ctx, "time"), field(ctx, "hours"), field(ctx, "mbits"),
                    ctx.formParam("enabled") != null, field(ctx, "delayDays"), field(ctx, "host"), field(ctx, "port"),
                    field(ctx, "user"), field(ctx, "hostKey"), field(ctx, "keyFile"));
        }

        ServerSettings server(String password) {
            return new ServerSettings(host, port, user, path, hostKey, keyFile, password);
        }

        Schedule schedule() {
            return Schedule.of(kind, time, hours);
        }

        public boolean daily() {
            return !"hours".equals(kind);
        }

        private static String trim(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    /** The list page; {@code adding} says which add form a refusal belongs to ("s3" or "folder"). */
    public record CopiesPage(Layout layout, List<Row> targets, String localLocation, Form form, String adding,
                             String error, String zone) {
    }

    /** One target's page: its state, "Sync now", "Test connection", the edit form, recent syncs, removal. */
    public record CopyPage(Layout layout, Row row, Form form, String maskedSecret, List<JobView> syncs, String error,
                           String zone) {
    }

    /** What "Test connection" found, as a fragment. */
    public record ConnectionPage(boolean ok, String message) {
    }

    private final Targets targets;
    private final Jobs jobs;
    private final String localLocation;
    private final Clock clock;
    private final Pages pages;

    /** {@code localLocation}: the NAS repository's folder, shown as the first copy. */
    public TargetRoutes(Targets targets, Jobs jobs, String localLocation, Clock clock, Pages pages) {
        this.targets = targets;
        this.jobs = jobs;
        this.localLocation = localLocation;
        this.clock = clock;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/copies", ctx -> list(ctx, Form.EMPTY, null, null));
        routes.post("/copies/s3", ctx -> add(ctx, "s3"));
        routes.post("/copies/folder", ctx -> add(ctx, "folder"));
        routes.post("/copies/sftp", ctx -> add(ctx, "sftp"));
        routes.get("/copies/{id}", ctx -> show(ctx, null, null));
        routes.post("/copies/{id}", this::change);
        routes.post("/copies/{id}/remove", this::remove);
        routes.post("/copies/{id}/test", this::test);
        routes.post("/copies/{id}/sync", this::sync);
    }

    /** How a target looks in lists and on the dashboard. */
    public Row row(Target t) {
        Optional<Long> active = targets.activeJob(t.id());
        Target.LastSync last = t.lastSync();
        String kind = switch (t.kind()) {
            case S3 -> "cloud bucket (S3)";
            case FOLDER -> "folder (USB disk)";
            case SFTP -> t.sftp().peer() ? "friend's Threefold (SFTP)" : "SFTP server";
        };
        if (active.isPresent()) {
            return new Row(t, kind, last == null ? "first sync" : Format.age(last.time(), clock.instant()), "syncing",
                    "warn", null, active.get());
        }
        if (last == null) {
            return new Row(t, kind, "", "not synced yet", "warn", null, null);
        }
        String state = last.state() == Target.LastSync.State.RUNNING ? "cut off" : last.state().label();
        String tone = last.state() == Target.LastSync.State.SUCCEEDED ? "good" : "bad";
        String when = Format.age(last.time(), clock.instant());
        // After a failure the copy is still whole as of its last good sync: say how old that is.
        if (last.state() != Target.LastSync.State.SUCCEEDED && t.lastGoodSync() != null) {
            when += " · last good sync " + Format.age(t.lastGoodSync(), clock.instant());
        }
        return new Row(t, kind, when, state, tone, last.error(), null);
    }

    private void list(Context ctx, Form form, String adding, String error) {
        Access.requireAdmin(ctx);
        pages.render(ctx, "copies.jte", new CopiesPage(Access.layout(ctx, "Copies", "copies"),
                targets.list().stream().map(this::row).toList(), localLocation, form, adding, error,
                java.time.ZoneId.systemDefault().getId()));
    }

    private void add(Context ctx, String type) {
        Access.requireAdmin(ctx);
        Form form = Form.of(ctx);
        String actor = Access.viewer(ctx).name();
        Target added;
        try {
            Schedule schedule = form.schedule();
            long limit = TargetInput.megabits(form.mbits());
            if (type.equals("s3")) {
                BucketSettings s3 = new BucketSettings(form.endpoint(), form.region(), form.bucket(), form.prefix(),
                        form.accessKey(), field(ctx, "secretKey"), form.pathStyle(), null);
                added = targets.addS3(form.name(), s3, schedule, limit, actor);
            } else if (type.equals("sftp")) {
                added = targets.addSftp(form.name(), form.server(field(ctx, "password")), schedule, limit, actor);
            } else {
                added = targets.addFolder(form.name(), TargetInput.folder(form.path()), schedule, limit, actor);
            }
        } catch (ThreefoldException e) {
            ctx.status(ApiErrors.statusOf(e.kind()));
            list(ctx, form, type, e.getMessage());
            return;
        }
        ctx.redirect("/copies/" + added.id(), HttpStatus.SEE_OTHER);
    }

    private Target target(Context ctx) {
        try {
            return targets.get(TargetId.parse(ctx.pathParam("id")));
        } catch (ThreefoldException e) {
            throw new TargetNotFoundException("There is no copy " + ctx.pathParam("id")
                    + "; it may have been removed. Go back to the list of copies.");
        }
    }

    private void show(Context ctx, Form form, String error) {
        Access.requireAdmin(ctx);
        Target t = target(ctx);
        pages.render(ctx, "copy.jte", new CopyPage(Access.layout(ctx, t.name(), "copies"), row(t),
                form == null ? Form.of(t) : form, t.s3() == null ? null : t.s3().maskedSecret(),
                jobs.history(Targets.KIND, t.name(), 10).stream().map(JobView::new).toList(), error,
                java.time.ZoneId.systemDefault().getId()));
    }

    private void change(Context ctx) {
        Access.requireAdmin(ctx);
        Target t = target(ctx);
        Form form = Form.of(ctx);
        String actor = Access.viewer(ctx).name();
        try {
            Schedule schedule = form.schedule();
            long limit = TargetInput.megabits(form.mbits());
            String secret = field(ctx, "secretKey");
            // Every field is checked before anything changes; the stored secret is never read back here.
            BucketSettings s3 = t.kind() != Target.Kind.S3 ? null : new BucketSettings(form.endpoint(), form.region(),
                    form.bucket(), form.prefix(), form.accessKey(), secret, form.pathStyle(), t.s3().checksumMode()).check();
            java.nio.file.Path folder = t.kind() != Target.Kind.FOLDER ? null : TargetInput.folder(form.path());
            java.time.Duration delay = ctx.formParam("delayDays") == null ? t.deleteDelay()
                    : form.delayDays().isBlank() ? null : TargetInput.delayDays(form.delayDays());
            ServerSettings server = t.kind() != Target.Kind.SFTP ? null : form.server(field(ctx, "password"));
            // The name first: it is the one thing the catalog can still refuse (taken).
            targets.change(t.id(), form.name(), schedule, form.enabled(), limit, actor);
            if (s3 != null) {
                targets.changeS3(t.id(), s3, actor);
            } else if (folder != null && !folder.equals(t.folder())) {
                targets.changeFolder(t.id(), folder, actor);
            } else if (server != null) {
                targets.changeSftp(t.id(), server, actor);
            }
            if (!java.util.Objects.equals(delay, t.deleteDelay())) {
                targets.changeDeleteDelay(t.id(), delay, actor);
            }
        } catch (ThreefoldException e) {
            ctx.status(ApiErrors.statusOf(e.kind()));
            show(ctx, form, e.getMessage());
            return;
        }
        ctx.redirect("/copies", HttpStatus.SEE_OTHER);
    }

    private void remove(Context ctx) {
        Access.requireAdmin(ctx);
        Target t = target(ctx);
        if (ctx.formParam("confirm") == null) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
            show(ctx, null, "Tick the box to confirm that " + t.name() + " should be removed.");
            return;
        }
        try {
            targets.remove(t.id(), Access.viewer(ctx).name());
        } catch (ThreefoldException e) {
            ctx.status(ApiErrors.statusOf(e.kind()));
            show(ctx, null, e.getMessage());
            return;
        }
        ctx.redirect("/copies", HttpStatus.SEE_OTHER);
    }

    private void test(Context ctx) {
        Access.requireAdmin(ctx);
        Target t = target(ctx);
        ConnectionPage result;
        try {
            Targets.ConnectionCheck check = targets.testConnection(t.id());
            result = new ConnectionPage(true, check.holdsCopy()
                    ? "Connected: " + check.location() + " holds a copy (" + Format.plural(check.objects(), "object")
                    + " besides packs)."
                    : "Connected: " + check.location() + " answers and holds no copy yet; the first sync makes one"
                    + " (and finds out whether the key may write there).");
        } catch (IOException | ThreefoldException e) {
            result = new ConnectionPage(false, e.getMessage());
        }
        pages.render(ctx, "copy-test.jte", result);
    }

    /** Starts a sync now; HTMX gets the live progress fragment, a plain form goes to the target's page. */
    private void sync(Context ctx) {
        Access.requireAdmin(ctx);
        Target t = target(ctx);
        Job job = targets.sync(t.id(), false, Access.viewer(ctx).name());
        if ("true".equals(ctx.header("HX-Request"))) {
            pages.render(ctx, "job-live.jte", new JobView(job));
        } else {
            ctx.redirect("/copies/" + t.id(), HttpStatus.SEE_OTHER);
        }
    }

    private static String field(Context ctx, String name) {
        return Optional.ofNullable(ctx.formParam(name)).orElse("").trim();
    }
}
