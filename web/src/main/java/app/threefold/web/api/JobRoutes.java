package app.threefold.web.api;

import app.threefold.jobs.Job;
import app.threefold.jobs.JobId;
import app.threefold.jobs.JobNotFoundException;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/restore-tests {device, copy}} → {@code {job}} and
 * {@code GET /api/v1/jobs/{id}} → {@code {state, progress, result, …}}.
 */
public final class JobRoutes {

    private final RestoreProofs restoreTests;
    private final Jobs jobs;

    public JobRoutes(RestoreProofs restoreTests, Jobs jobs) {
        this.restoreTests = restoreTests;
        this.jobs = jobs;
    }

    public void addTo(RoutesConfig routes) {
        routes.post("/api/v1/restore-tests", this::startRestoreTest);
        routes.get("/api/v1/jobs/{id}", this::job);
    }

    private void startRestoreTest(Context ctx) throws Exception {
        JsonNode body = JsonBodies.object(ctx, List.of("device", "copy"), "Send JSON like {\"device\": NAME, \"copy\": \"local\"}.");
        String device = body.path("device").asText(null);
        if (device == null || device.isBlank()) {
            throw new BadRequestResponse("Name the device to test: {\"device\": NAME, \"copy\": \"local\"}.");
        }
        String copy = body.path("copy").asText(RestoreProofs.LOCAL);
        Job job = restoreTests.start(device, copy, ApiAuthentication.admin(ctx).name());
        ctx.status(HttpStatus.ACCEPTED).header("Location", "/api/v1/jobs/" + job.id())
                .json(Map.of("job", job.id()));
    }

    private void job(Context ctx) {
        JobId id = JobId.parse(ctx.pathParam("id"));
        Job job = jobs.find(id).orElseThrow(() -> new JobNotFoundException(id));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", job.id());
        out.put("kind", job.kind());
        out.put("device", job.device());
        out.put("copy", job.copy());
        out.put("state", job.state().label());
        out.put("progress", job.progress());
        out.put("message", job.message());
        if (job.amount() != null) {
            Map<String, Object> amount = new LinkedHashMap<>();
            amount.put("done", job.amount().done());
            amount.put("total", job.amount().total());
            amount.put("unit", job.amount().unit().name().toLowerCase(java.util.Locale.ROOT));
            amount.put("secondsLeft", job.amount().left() == null ? null : job.amount().left().toSeconds());
            out.put("amount", amount);
        }
        out.put("result", job.result());
        out.put("error", job.error());
        out.put("created", job.created().toString());
        out.put("started", job.started() == null ? null : job.started().toString());
        out.put("finished", job.finished() == null ? null : job.finished().toString());
        ctx.json(out);
    }
}
