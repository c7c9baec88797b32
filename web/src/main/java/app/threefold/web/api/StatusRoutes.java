package app.threefold.web.api;

import app.threefold.web.WebServices;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /api/v1/status}: version, uptime, the state of each part, free space in the data directory. */
public final class StatusRoutes {

    private final WebServices services;

    public StatusRoutes(WebServices services) {
        this.services = services;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/api/v1/status", this::status);
    }

    private void status(Context ctx) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", services.version());
        body.put("startedAt", services.startedAt().toString());
        body.put("uptimeSeconds", Duration.between(services.startedAt(), services.clock().instant()).toSeconds());
        services.health().check().forEach(c -> body.put(c.component(), c.state().label()));
        body.put("dataDirFreeBytes", Files.getFileStore(services.dataDir()).getUsableSpace());
        body.put("admin", ApiAuthentication.admin(ctx).name());
        ctx.json(body);
    }
}
