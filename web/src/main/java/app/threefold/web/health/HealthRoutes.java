package app.threefold.web.health;

import app.threefold.health.ComponentHealth;
import app.threefold.health.HealthProbe;
import app.threefold.web.WebServices;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /healthz}, for load balancers and container health checks: no authentication, 200
 * when every part is usable, 503 otherwise, with each part's state.
 */
public final class HealthRoutes {

    private final WebServices services;

    public HealthRoutes(WebServices services) {
        this.services = services;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/healthz", this::healthz);
    }

    private void healthz(Context ctx) {
        List<ComponentHealth> components = services.health().check();
        boolean healthy = HealthProbe.healthy(components);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", healthy ? "ok" : "unavailable");
        body.put("version", services.version());
        components.forEach(c -> body.put(c.component(), c.state().label()));
        ctx.header("Cache-Control", "no-store");
        ctx.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json(body);
    }
}
