package app.threefold.web.retention;

import app.threefold.ThreefoldException;
import app.threefold.retention.Candidate;
import app.threefold.retention.InvalidPolicyException;
import app.threefold.retention.KeepPolicy;
import app.threefold.retention.Plan;
import app.threefold.retention.PreviewOutdatedException;
import app.threefold.retention.Retention;
import app.threefold.retention.Space;
import app.threefold.retention.Span;
import app.threefold.snapshot.SnapshotId;
import app.threefold.web.api.ApiAuthentication;
import app.threefold.web.api.JsonBodies;
import app.threefold.web.page.Format;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Retention, in the panel and the API: the Retention section of a device's (or local source's, or
 * deleted device's) page — the policy form, a live preview of what it keeps and why, pins and
 * labels, "Forget now", the space the device takes — and {@code POST /api/v1/devices/{name}/forget}.
 * The preview and forget both come from {@link Retention}, so what the preview lists is what goes.
 */
public final class RetentionRoutes {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm xxx");

    /** The policy form's fields as typed (blank: the rule is off). */
    public record PolicyForm(String within, String last, String hourly, String daily, String weekly, String monthly,
                             String yearly) {

        static PolicyForm of(KeepPolicy p) {
            return new PolicyForm(p.within().zero() ? "" : p.within().toString(), s(p.last()), s(p.hourly()), s(p.daily()),
                    s(p.weekly()), s(p.monthly()), s(p.yearly()));
        }

        static PolicyForm of(Context ctx) {
            return new PolicyForm(f(ctx, "within"), f(ctx, "last"), f(ctx, "hourly"), f(ctx, "daily"), f(ctx, "weekly"),
                    f(ctx, "monthly"), f(ctx, "yearly"));
        }

        KeepPolicy policy() {
            return new KeepPolicy(n(last, "last"), n(hourly, "hourly"), n(daily, "daily"), n(weekly, "weekly"),
                    n(monthly, "monthly"), n(yearly, "yearly"), Span.parse(within));
        }

        private static String s(int n) {
            return n == 0 ? "" : Integer.toString(n);
        }

        private static String f(Context ctx, String name) {
            String v = ctx.formParam(name);
            if (v == null) {
                v = ctx.queryParam(name);
            }
            return v == null ? "" : v.strip();
        }

        private static int n(String v, String what) {
            if (v == null || v.isBlank()) {
                return 0;
            }
            try {
                return Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                throw new InvalidPolicyException("'" + v + "' is not a number of " + what + " snapshots to keep");
            }
        }
    }

    /** One snapshot's row in the preview. */
    public record Row(String id, String shortId, String time, boolean keep, String reasons, boolean pinned, String label) {
    }

    /** The preview: what the policy as typed keeps and forgets. */
    public record Preview(String device, String describe, List<Row> rows, int keep, int forget, String error) {

        /** The ids it lists as going, comma-separated: what "Forget now" confirms. */
        public String forgetIds() {
            return String.join(",", rows.stream().filter(r -> !r.keep()).map(Row::id).toList());
        }

    }

    /** What the section shows of the space: this device's and the disk's. */
    public record SpaceView(String unique, String shared, String counted, boolean counting, String free, String total,
                            String stored, String rate, String fullOn) {
    }

    /** The Retention section. */
    public record Section(String device, boolean archived, boolean ownPolicy, PolicyForm form, Preview preview, SpaceView space,
                          String notice, String error) {
    }

    private final Retention retention;
    private final Space space;
    private final Predicate<String> archived;
    private final Clock clock;
    private final Pages pages;

    public RetentionRoutes(Retention retention, Space space, Predicate<String> archived, Clock clock, Pages pages) {
        this.retention = retention;
        this.space = space;
        this.archived = archived;
        this.clock = clock;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/devices/{device}/retention", ctx -> section(ctx, null, null));
        routes.get("/devices/{device}/retention/preview", this::preview);
        routes.post("/devices/{device}/retention/policy", this::save);
        routes.post("/devices/{device}/retention/forget", this::forget);
        routes.post("/devices/{device}/retention/count", ctx -> {
            Access.requireAdmin(ctx);
            space.countInBackground();
            section(ctx, null, "Counting each device's data; reload in a while for the new figures.");
        });
        routes.post("/devices/{device}/snapshots/{snapshot}/pin", ctx -> {
            Access.requireAdmin(ctx);
            boolean pin = !"false".equals(ctx.formParam("pinned"));
            retention.pin(device(ctx), SnapshotId.parse(ctx.pathParam("snapshot")), pin, Access.viewer(ctx).name());
            section(ctx, null, null);
        });
        routes.post("/devices/{device}/snapshots/{snapshot}/label", ctx -> {
            Access.requireAdmin(ctx);
            retention.label(device(ctx), SnapshotId.parse(ctx.pathParam("snapshot")), ctx.formParam("label"),
                    Access.viewer(ctx).name());
            section(ctx, null, null);
        });
        routes.post("/api/v1/devices/{name}/forget", this::apiForget);
    }

    private static String device(Context ctx) {
        return ctx.pathParam("device");
    }

    private KeepPolicy current(String device) {
        return retention.policy(device);
    }

    private void section(Context ctx, PolicyForm typed, String notice) {
        section(ctx, typed, notice, null);
    }

    private void section(Context ctx, PolicyForm typed, String notice, String error) {
        Access.requireAdmin(ctx);
        String device = device(ctx);
        PolicyForm form = typed == null ? PolicyForm.of(current(device)) : typed;
        boolean isArchived = archived.test(device);
        // The forecast needs a size a day; the panel being looked at is a good enough clock for it.
        space.sample();
        pages.render(ctx, "retention.jte", new Section(device, isArchived, isArchived || retention.hasOwnPolicy(device), form,
                preview(device, form), spaceView(device), notice, error));
    }

    private void preview(Context ctx) {
        Access.requireAdmin(ctx);
        pages.render(ctx, "retention-preview.jte", preview(device(ctx), PolicyForm.of(ctx)));
    }

    private Preview preview(String device, PolicyForm form) {
        KeepPolicy policy;
        try {
            policy = form.policy();
        } catch (InvalidPolicyException e) {
            return new Preview(device, "", List.of(), 0, 0, e.getMessage());
        }
        return view(device, retention.preview(device, policy));
    }

    private static Preview view(String device, Plan plan) {
        List<Row> rows = new ArrayList<>();
        for (Plan.Kept k : plan.keep()) {
            Candidate c = k.snapshot();
            rows.add(new Row(c.id(), Format.shortId(c.id()), TIME.format(c.time()), true, String.join(", ", k.reasons()), c.pinned(),
                    c.label()));
        }
        for (Candidate c : plan.forget()) {
            rows.add(new Row(c.id(), Format.shortId(c.id()), TIME.format(c.time()), false, "", c.pinned(), c.label()));
        }
        // Newest first, kept and forgotten interleaved as they were taken.
        Map<String, java.time.Instant> at = new LinkedHashMap<>();
        plan.keep().forEach(k -> at.put(k.snapshot().id(), k.snapshot().time().toInstant()));
        plan.forget().forEach(c -> at.put(c.id(), c.time().toInstant()));
        rows.sort((a, b) -> at.get(b.id()).compareTo(at.get(a.id())));
        return new Preview(device, plan.policy().describe(), rows, plan.keep().size(), plan.forget().size(), null);
    }

    private void save(Context ctx) {
        Access.requireAdmin(ctx);
        String device = device(ctx);
        String actor = Access.viewer(ctx).name();
        if (ctx.formParam("reset") != null) {
            retention.resetPolicy(device, actor);
            section(ctx, null, "Back to the default policy: " + KeepPolicy.DEFAULT.describe() + ".");
            return;
        }
        PolicyForm form = PolicyForm.of(ctx);
        try {
            KeepPolicy p = form.policy();
            if (archived.test(device)) {
                retention.setArchivedPolicy(p, actor);
            } else {
                retention.setPolicy(device, p, actor);
            }
            section(ctx, null, "Saved: " + p.describe() + ".");
        } catch (ThreefoldException e) {
            section(ctx, form, null, e.getMessage());
        }
    }

    private void forget(Context ctx) {
        Access.requireAdmin(ctx);
        String device = device(ctx);
        PolicyForm form = PolicyForm.of(ctx);
        // The ids the preview on the page listed as going: forget refuses if it would remove others.
        String shown = ctx.formParam("previewed");
        List<String> previewed = shown == null || shown.isBlank() ? List.of() : List.of(shown.split(","));
        Retention.Result r;
        try {
            r = retention.forget(device, form.policy(), previewed, Access.viewer(ctx).name());
        } catch (PreviewOutdatedException e) {
            ctx.status(HttpStatus.CONFLICT);
            section(ctx, form, null, e.getMessage());
            return;
        } catch (ThreefoldException e) {
            // Answered with the section (200) so HTMX shows why: a refused policy, or the repository
            // locked by an upload in progress (try again when it ends).
            section(ctx, form, null, e.getMessage());
            return;
        }
        space.sample();
        space.countInBackground();
        section(ctx, form, "Forgot " + Format.plural(r.removed().size(), "snapshot") + "; kept " + r.plan().keep().size()
                + ". Their data stays on the disk until the next prune.");
    }

    private SpaceView spaceView(String device) {
        Space.HostSpace mine = space.counted().get(device);
        // Counting walks every snapshot: done in the background when the figures are missing or a day old.
        if (space.needsCount(device)) {
            space.countInBackground();
        }
        Space.Disk disk = space.disk();
        return new SpaceView(mine == null ? "not counted yet" : Format.bytes(mine.uniqueBytes()),
                mine == null ? "not counted yet" : Format.bytes(mine.sharedBytes()),
                mine == null ? null : Format.age(mine.counted(), clock.instant()), space.counting(),
                Format.bytes(disk.freeBytes()), Format.bytes(disk.totalBytes()), Format.bytes(disk.storedBytes()),
                disk.bytesPerDay().map(r -> (r >= 0 ? "+" : "−") + Format.bytes(Math.abs(r)) + " a day").orElse("not known yet"),
                disk.fullOn().map(Object::toString).orElse(disk.bytesPerDay().isPresent() ? "not at this rate" : "not known yet"));
    }

    /** {@code POST /api/v1/devices/{name}/forget {dryRun, keepLast, keepHourly, keepDaily, keepWeekly, keepMonthly, keepYearly, keepWithin}}. */
    private void apiForget(Context ctx) {
        List<String> fields = List.of("dryRun", "keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly",
                "keepWithin");
        String shape = "Send {\"dryRun\": true, \"keepDaily\": 7, \"keepWithin\": \"48h\", …}; without keep… fields the"
                + " device's own policy applies.";
        String actor = ApiAuthentication.admin(ctx).name();
        JsonNode body = JsonBodies.object(ctx, fields, shape);
        // Only a JSON boolean: "yes", "True" or 1 read leniently would be false, and forget for real.
        if (body.has("dryRun") && !body.get("dryRun").isBoolean()) {
            throw new BadRequestResponse("dryRun must be true or false (a JSON boolean), not " + body.get("dryRun")
                    + ". " + shape);
        }
        boolean dryRun = body.has("dryRun") && body.get("dryRun").booleanValue();
        KeepPolicy given = null;
        if (fields.stream().skip(1).anyMatch(body::has)) {
            for (String f : fields.subList(1, 7)) {
                if (body.has(f) && !body.get(f).canConvertToInt()) {
                    throw new BadRequestResponse(f + " must be a whole number. " + shape);
                }
            }
            given = new KeepPolicy(body.path("keepLast").asInt(0), body.path("keepHourly").asInt(0), body.path("keepDaily").asInt(0),
                    body.path("keepWeekly").asInt(0), body.path("keepMonthly").asInt(0), body.path("keepYearly").asInt(0),
                    Span.parse(body.path("keepWithin").asText("")));
        }
        Retention.Result r = retention.forget(ctx.pathParam("name"), given, dryRun, actor);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("device", r.plan().hostname());
        out.put("policy", r.plan().policy().describe());
        out.put("dryRun", r.dryRun());
        out.put("keep", r.plan().keep().stream().map(k -> Map.of("id", k.snapshot().id(), "time", k.snapshot().time().toString(),
                "reasons", k.reasons(), "pinned", k.snapshot().pinned(), "label", k.snapshot().label())).toList());
        out.put("forget", r.plan().forget().stream().map(c -> Map.of("id", c.id(), "time", c.time().toString())).toList());
        out.put("removed", r.removed());
        ctx.json(out);
    }
}
