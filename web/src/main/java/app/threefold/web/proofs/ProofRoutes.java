package app.threefold.web.proofs;

import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.proof.RestoreTestLog;
import app.threefold.proof.Scrubs;
import app.threefold.web.api.ApiAuthentication;
import app.threefold.web.api.JsonBodies;
import app.threefold.web.page.Format;
import app.threefold.web.page.Pages;
import app.threefold.web.restoretests.JobView;
import app.threefold.web.session.Access;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Proof that the copies hold: scrubs (the Copies page's "Scrub now" and its last outcome per copy,
 * {@code GET/POST /api/v1/scrubs}), the restore tests' standings per device and copy
 * ({@code GET /api/v1/restore-tests}) and each device's rhythm
 * ({@code PUT /api/v1/restore-tests/rhythm/{device}}).
 */
public final class ProofRoutes {

    /** The Copies page's scrub slot of one copy: its last scrub, "Scrub now", and the live job if one runs. */
    public record ScrubSlot(String copy, String last, String tone, Long running) {
    }

    private final Scrubs scrubs;
    private final RestoreTestLog results;
    private final Jobs jobs;
    private final Clock clock;
    private final Pages pages;

    public ProofRoutes(Scrubs scrubs, RestoreTestLog results, Jobs jobs, Clock clock, Pages pages) {
        this.scrubs = scrubs;
        this.results = results;
        this.jobs = jobs;
        this.clock = clock;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/copies/{id}/scrub", this::slot);
        routes.post("/copies/{id}/scrub", this::scrub);
        routes.get("/api/v1/scrubs", ctx -> {
            ApiAuthentication.admin(ctx);
            ctx.json(scrubs.latest().stream().map(ProofRoutes::view).toList());
        });
        routes.post("/api/v1/scrubs", this::startScrub);
        routes.get("/api/v1/restore-tests", ctx -> {
            ApiAuthentication.admin(ctx);
            Instant now = clock.instant();
            ctx.json(results.standings().stream().map(s -> view(s, now)).toList());
        });
        routes.put("/api/v1/restore-tests/rhythm/{device}", this::rhythm);
    }

    private void slot(Context ctx) {
        Access.requireAdmin(ctx);
        String copy = scrubs.resolve(ctx.pathParam("id"));
        Optional<Scrubs.Outcome> last = scrubs.latest().stream().filter(o -> o.copy().equals(copy)).findFirst();
        Long running = jobs.history(Scrubs.KIND, null, 20).stream().filter(j -> copy.equals(j.copy()) && !j.done())
                .map(Job::id).findFirst().orElse(null);
        pages.render(ctx, "scrub-slot.jte", new ScrubSlot(copy, last.map(this::line).orElse("never scrubbed"),
                last.map(ProofRoutes::tone).orElse("warn"), running));
    }

    private String line(Scrubs.Outcome o) {
        String when = Format.age(o.finished(), clock.instant());
        return switch (o.verdict()) {
            case "clean" -> "scrubbed " + when + ": " + Format.plural(o.packs(), "pack") + ", all intact";
            case "repaired" -> "scrubbed " + when + ": " + Format.plural(o.repaired().size(), "damaged pack")
                    + " repaired from " + o.repaired().get(0).get("from");
            case "damaged" -> "scrubbed " + when + ": " + Format.plural(o.unrepaired().size(), "damaged pack")
                    + " no copy could repair";
            default -> "the scrub " + when + " could not run: " + o.error();
        };
    }

    private static String tone(Scrubs.Outcome o) {
        return switch (o.verdict()) {
            case "clean", "repaired" -> "good";
            default -> "bad";
        };
    }

    private void scrub(Context ctx) {
        Access.requireAdmin(ctx);
        Job job = scrubs.start(ctx.pathParam("id"), Access.viewer(ctx).name());
        if ("true".equals(ctx.header("HX-Request"))) {
            pages.render(ctx, "job-live.jte", new JobView(job));
        } else {
            ctx.redirect("/copies", HttpStatus.SEE_OTHER);
        }
    }

    private void startScrub(Context ctx) throws Exception {
        JsonNode body = JsonBodies.object(ctx, List.of("copy"), "Send JSON like {\"copy\": \"local\"} or a target's id.");
        String copy = body.path("copy").asText("local");
        Job job = scrubs.start(copy, ApiAuthentication.admin(ctx).name());
        ctx.status(HttpStatus.ACCEPTED).header("Location", "/api/v1/jobs/" + job.id()).json(Map.of("job", job.id()));
    }

    private void rhythm(Context ctx) throws Exception {
        JsonNode body = JsonBodies.object(ctx, List.of("intervalDays", "budgetBytes"),
                "Send JSON like {\"intervalDays\": 30, \"budgetBytes\": 0} (0: test everything).");
        ApiAuthentication.admin(ctx);
        String device = ctx.pathParam("device");
        RestoreTestLog.Rhythm rhythm = new RestoreTestLog.Rhythm(body.path("intervalDays").asInt(RestoreTestLog.DEFAULT_INTERVAL_DAYS),
                body.path("budgetBytes").asLong(0));
        results.setRhythm(device, rhythm);
        ctx.json(Map.of("device", device, "intervalDays", rhythm.intervalDays(), "budgetBytes", rhythm.budgetBytes()));
    }

    private static Map<String, Object> view(Scrubs.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("copy", o.copy());
        m.put("copyName", o.copyName());
        m.put("verdict", o.verdict());
        m.put("finished", o.finished().toString());
        m.put("packs", o.packs());
        m.put("bytes", o.bytes());
        m.put("seconds", o.seconds());
        m.put("damaged", o.damaged());
        m.put("repaired", o.repaired());
        m.put("unrepaired", o.unrepaired());
        m.put("affected", o.affected());
        m.put("error", o.error());
        return m;
    }

    private static Map<String, Object> view(RestoreTestLog.Standing s, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", s.device());
        m.put("copy", s.copy());
        m.put("copyName", s.copyName());
        m.put("level", s.level().name().toLowerCase(java.util.Locale.ROOT));
        m.put("text", s.text(now));
        m.put("lastPassed", s.lastPassed() == null ? null : s.lastPassed().toString());
        RestoreTestLog.Result r = s.latest();
        Map<String, Object> latest = new LinkedHashMap<>();
        latest.put("finished", r.finished().toString());
        latest.put("verdict", r.error() != null ? "error" : r.passed() ? "passed" : "failed");
        latest.put("snapshot", r.snapshot());
        latest.put("sampled", r.sampled());
        latest.put("files", r.files());
        latest.put("bytes", r.bytes());
        latest.put("seconds", r.seconds());
        latest.put("bytesPerSecond", Math.round(r.throughput()));
        latest.put("failures", r.failures());
        latest.put("error", r.error());
        m.put("latest", latest);
        return m;
    }
}
