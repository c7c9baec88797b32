package app.threefold.web.api;

import app.threefold.jobs.Job;
import app.threefold.prune.Prunes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Map;

/**
 * {@code POST /api/v1/prune} (body optional: {@code {"dryRun": true}}) → 202 {@code {job}}: a
 * prune of the appliance's repository as a job; {@code GET /api/v1/jobs/{id}} shows its progress
 * and, at the end, space reclaimed, duration, packs removed and repacked and blobs kept.
 */
public final class PruneRoutes {
    private final Prunes prunes;

    public PruneRoutes(Prunes prunes) {
        this.prunes = prunes;
    }

    /** The body: every field optional. */
    record Body(Boolean dryRun) {
    }

    public void addTo(RoutesConfig routes) {
        routes.post("/api/v1/prune", this::start);
    }

    private void start(Context ctx) {
        boolean dryRun = false;
        if (!ctx.body().isBlank()) {
            Body body = JsonBodies.read(ctx, Body.class, "{\"dryRun\": true}");
            dryRun = Boolean.TRUE.equals(body.dryRun());
        }
        Job job = prunes.start(dryRun, ApiAuthentication.admin(ctx).name());
        ctx.status(HttpStatus.ACCEPTED).header("Location", "/api/v1/jobs/" + job.id()).json(Map.of("job", job.id()));
    }
}
