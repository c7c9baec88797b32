package app.threefold.web.sources;

import app.threefold.ThreefoldException;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.sources.LocalSource;
import app.threefold.sources.LocalSources;
import app.threefold.sources.Schedule;
import app.threefold.sources.SourceBusyException;
import app.threefold.sources.SourceNotFoundException;
import app.threefold.web.page.Format;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.restoretests.JobView;
import app.threefold.web.session.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * {@code /sources}: the folders on the NAS that are snapshotted on a schedule, with their next
 * run and last outcome; adding, changing, removing them and "Run now" (admins only).
 */
public final class SourceRoutes {

    /** One source as the list shows it. */
    public record Row(LocalSource source, String schedule, String next, String lastRun, String status, String tone,
                      String error, Long activeJob) {

        public String name() {
            return source.name();
        }
    }

    /** What the add and edit forms show: the values typed, so an error does not lose them. */
    public record Form(String name, String path, String kind, String time, String hours, boolean enabled) {

        static final Form EMPTY = new Form("", "", "daily", "03:00", "6", true);

        static Form of(LocalSource s) {
            return switch (s.schedule()) {
                case Schedule.Daily d -> new Form(s.name(), s.path().toString(), "daily",
                        d.at().format(DateTimeFormatter.ofPattern("HH:mm")), "6", s.enabled());
                case Schedule.EveryHours e -> new Form(s.name(), s.path().toString(), "hours", "03:00",
                        String.valueOf(e.hours()), s.enabled());
            };
        }

        static Form of(Context ctx, String name) {
            return new Form(name, field(ctx, "path"), field(ctx, "kind"), field(ctx, "time"), field(ctx, "hours"),
                    ctx.formParam("enabled") != null);
        }

        Schedule schedule() {
            return Schedule.of(kind, time, hours);
        }

        public boolean daily() {
            return !"hours".equals(kind);
        }
    }

    /** The list page. */
    public record SourcesPage(Layout layout, List<Row> sources, String zone, Form form, String error) {
    }

    /** One source's page: the edit form, "Run now", removal and its recent runs. */
    public record SourcePage(Layout layout, Row row, Form form, List<JobView> runs, String zone, String error) {
    }

    private final LocalSources sources;
    private final Jobs jobs;
    private final Clock clock;
    private final Pages pages;

    public SourceRoutes(LocalSources sources, Jobs jobs, Clock clock, Pages pages) {
        this.sources = sources;
        this.jobs = jobs;
        this.clock = clock;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/sources", ctx -> list(ctx, Form.EMPTY, null));
        routes.post("/sources", this::add);
        routes.get("/sources/{source}", ctx -> show(ctx, null, null));
        routes.post("/sources/{source}", this::change);
        routes.post("/sources/{source}/remove", this::remove);
        routes.post("/sources/{source}/run", this::run);
    }

    /** How a source looks in lists and on its dashboard card. */
    public Row row(LocalSource s) {
        Instant now = clock.instant();
        Optional<Long> active = sources.activeJob(s.name());
        String next = s.nextRun(sources.zone())
                .map(t -> t.isAfter(now) ? Format.time(t) : "due now").orElse("never (disabled)");
        LocalSource.LastRun last = s.lastRun();
        String lastRun = last == null ? "never" : Format.age(last.started(), now);
        String status = active.isPresent() ? "running" : last == null ? "not run yet" : last.status().label();
        String tone = switch (status) {
            case "succeeded" -> "good";
            case "failed" -> "bad";
            default -> "warn";
        };
        return new Row(s, s.schedule().describe(), next, lastRun, status, tone,
                last == null ? null : last.error(), active.orElse(null));
    }

    private void list(Context ctx, Form form, String error) {
        Access.requireAdmin(ctx);
        pages.render(ctx, "sources.jte", new SourcesPage(Access.layout(ctx, "Local sources", "sources"),
                sources.list().stream().map(this::row).toList(), sources.zone().getId(), form, error));
    }

    private void add(Context ctx) {
        Access.requireAdmin(ctx);
        Form form = Form.of(ctx, field(ctx, "name"));
        try {
            sources.add(form.name(), form.path(), form.schedule(), Access.viewer(ctx).name());
        } catch (ThreefoldException e) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
            list(ctx, form, e.getMessage());
            return;
        }
        ctx.redirect("/sources", HttpStatus.SEE_OTHER);
    }

    private LocalSource source(Context ctx) {
        String name = ctx.pathParam("source");
        return sources.find(name).orElseThrow(() -> new SourceNotFoundException(name));
    }

    private void show(Context ctx, Form form, String error) {
        Access.requireAdmin(ctx);
        LocalSource s = source(ctx);
        pages.render(ctx, "source.jte", new SourcePage(Access.layout(ctx, s.name(), "sources"), row(s),
                form == null ? Form.of(s) : form,
                jobs.history(LocalSources.KIND, s.name(), 10).stream().map(JobView::new).toList(),
                sources.zone().getId(), error));
    }

    private void change(Context ctx) {
        Access.requireAdmin(ctx);
        LocalSource s = source(ctx);
        Form form = Form.of(ctx, s.name());
        thenList(ctx, form, () -> sources.change(s.name(), form.path(), form.schedule(), form.enabled(),
                Access.viewer(ctx).name()));
    }

    private void remove(Context ctx) {
        Access.requireAdmin(ctx);
        LocalSource s = source(ctx);
        thenList(ctx, null, () -> sources.remove(s.name(), Access.viewer(ctx).name()));
    }

    /** Makes {@code change} and goes back to the list, or shows the source's page again saying why it was refused. */
    private void thenList(Context ctx, Form form, Runnable change) {
        try {
            change.run();
        } catch (ThreefoldException e) {
            ctx.status(e instanceof SourceBusyException ? HttpStatus.CONFLICT : HttpStatus.UNPROCESSABLE_CONTENT);
            show(ctx, form, e.getMessage());
            return;
        }
        ctx.redirect("/sources", HttpStatus.SEE_OTHER);
    }

    /** Starts a backup now; HTMX gets the live progress fragment, a plain form goes to the source's page. */
    private void run(Context ctx) {
        Access.requireAdmin(ctx);
        Job job = sources.runNow(source(ctx).name(), Access.viewer(ctx).name());
        if ("true".equals(ctx.header("HX-Request"))) {
            pages.render(ctx, "job-live.jte", new JobView(job));
        } else {
            ctx.redirect("/sources/" + Format.url(job.device()), HttpStatus.SEE_OTHER);
        }
    }

    private static String field(Context ctx, String name) {
        return Optional.ofNullable(ctx.formParam(name)).orElse("").trim();
    }
}
