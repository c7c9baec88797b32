package app.threefold.web.restoretests;

import app.threefold.InvalidIdException;
import app.threefold.jobs.JobId;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.web.dashboard.DashboardRoutes;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.sse.SseClient;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-click restore test: {@code POST /devices/{device}/restore-tests} starts it and answers
 * with a live fragment that follows {@code /jobs/{id}/events} (SSE) until the verdict.
 */
public final class RestoreTestRoutes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RestoreTestRoutes.class);
    /** At most one progress event per this many nanoseconds; the verdict always goes out. */
    private static final long EVENT_INTERVAL_NANOS = 150_000_000L;

    private final RestoreProofs restoreTests;
    private final Jobs jobs;
    private final Function<String, DashboardRoutes.CardTests> cardTests;
    private final Pages pages;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();

    /** A device page's table of restore tests; {@code oob} when it rides along with a verdict. */
    public record DeviceTests(String device, List<JobView> tests, boolean oob) {
    }

    /** A device's latest restore tests, newest first, as its page lists them. */
    public static List<JobView> recent(Jobs jobs, String device) {
        return jobs.history(RestoreProofs.KIND, device, 20).stream().map(JobView::new).toList();
    }

    /** A test's live fragment; {@code table}: the page that started it shows the device's table of tests. */
    public record LiveTest(JobView view, boolean table) {
    }

    /** {@code cardTests}: a device's card line of restore tests, sent with each verdict. */
    public RestoreTestRoutes(RestoreProofs restoreTests, Jobs jobs, Function<String, DashboardRoutes.CardTests> cardTests,
                             Pages pages) {
        this.restoreTests = restoreTests;
        this.jobs = jobs;
        this.cardTests = cardTests;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.post("/devices/{device}/restore-tests", this::start);
        routes.get("/jobs/{id}", this::show);
        routes.sse("/jobs/{id}/events", this::events);
    }

    private void start(Context ctx) {
        String device = ctx.pathParam("device");
        Access.requireDevice(ctx, device);
        String copy = ctx.formParam("copy");
        Job job = restoreTests.start(device, copy == null || copy.isBlank() ? RestoreProofs.LOCAL : copy.strip(),
                Access.viewer(ctx).name());
        // Started from the device's own page, the verdict also refreshes its table of tests; other
        // pages have no such table (an out-of-band swap without a target is an error for HTMX).
        String from = ctx.header("HX-Current-URL");
        boolean table = from != null && java.net.URI.create(from).getPath().equals("/devices/" + device);
        pages.render(ctx, "restore-test-live.jte", new LiveTest(new JobView(job), table));
    }

    private Job job(Context ctx) {
        JobId id;
        try {
            id = JobId.parse(ctx.pathParam("id"));
        } catch (InvalidIdException e) {
            throw new NotFoundResponse("No such job.");
        }
        Job job = jobs.find(id).orElseThrow(() -> new NotFoundResponse("No such job."));
        if (app.threefold.mirror.Targets.KIND.equals(job.kind())) {
            // A sync's "device" is a target's name; copies are the admins' business.
            Access.requireAdmin(ctx);
        } else {
            Access.requireDevice(ctx, job.device());
        }
        return job;
    }

    private void show(Context ctx) {
        pages.render(ctx, "job-status.jte", new JobView(job(ctx)));
    }

    private void events(SseClient client) {
        Job job;
        try {
            job = job(client.ctx());
        } catch (RuntimeException e) {
            client.sendEvent("done", "<p class=\"verdict bad\">This test cannot be followed: it does not exist or is not yours.</p>");
            client.close();
            return;
        }
        client.keepAlive();
        clients.add(client);
        long[] last = {0};
        try {
            boolean table = "true".equals(client.ctx().queryParam("table"));
            AutoCloseable subscription = jobs.listen(job.id(), update -> send(client, update, last, table));
            client.onClose(() -> {
                clients.remove(client);
                try {
                    subscription.close();
                } catch (Exception e) {
                    log.warn("Unsubscribing from job {} failed", job.id(), e);
                }
            });
        } catch (RuntimeException e) {
            log.error("Following job {} failed", job.id(), e);
            client.close();
        }
    }

    private void send(SseClient client, Job update, long[] last, boolean table) {
        synchronized (client) {
            if (client.terminated()) {
                return;
            }
            long now = System.nanoTime();
            if (!update.done() && last[0] != 0 && now - last[0] < EVENT_INTERVAL_NANOS) {
                return;
            }
            last[0] = now;
            // SSE data lines must not contain newlines; HTML does not need them.
            String html = pages.fragment("job-status.jte", new JobView(update));
            if (update.done() && RestoreProofs.KIND.equals(update.kind())) {
                // The card above the verdict says the same at once, not "never run" until a reload.
                html += pages.fragment("card-tests.jte", cardTests.apply(update.device()));
                if (table) {
                    html += pages.fragment("device-tests.jte", new DeviceTests(update.device(),
                            recent(jobs, update.device()), true));
                }
            }
            html = html.replace('\n', ' ');
            client.sendEvent(update.done() ? "done" : "progress", html);
            if (update.done()) {
                client.close();
            }
        }
    }

    /** Ends every open progress stream (on server stop). */
    @Override
    public void close() {
        for (SseClient c : clients) {
            synchronized (c) {
                c.close();
            }
        }
        clients.clear();
    }
}
