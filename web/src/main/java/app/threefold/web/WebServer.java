package app.threefold.web;

import app.threefold.web.api.ApiAuthentication;
import app.threefold.web.api.ApiErrors;
import app.threefold.web.api.StatusRoutes;
import app.threefold.web.health.HealthRoutes;
import io.javalin.Javalin;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's HTTP server: {@code GET /healthz} without authentication, the JSON API under
 * {@code /api/v1} for administrators (HTTP Basic) and API tokens (Bearer).
 */
public final class WebServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    private final Javalin javalin;

    private WebServer(Javalin javalin) {
        this.javalin = javalin;
    }

    /**
     * Starts listening on {@code bindAddress:port}; port 0 picks a free port (see {@link #port()}).
     *
     * @throws WebServerException if the address cannot be bound (e.g. the port is in use)
     */
    public static WebServer start(String bindAddress, int port, WebServices services) {
        Objects.requireNonNull(bindAddress);
        Objects.requireNonNull(services);
        Javalin javalin = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            // Let in-flight requests finish on stop instead of cutting them off.
            cfg.jetty.modifyServer(server -> server.setStopTimeout(5_000));
            new HealthRoutes(services).addTo(cfg.routes);
            new ApiAuthentication(services.accounts(), services.apiTokens()).addTo(cfg.routes);
            new StatusRoutes(services).addTo(cfg.routes);
            new app.threefold.web.devices.DeviceRoutes(services).addTo(cfg.routes);
            ApiErrors.addTo(cfg.routes);
        });
        try {
            javalin.start(bindAddress, port);
        } catch (RuntimeException e) {
            javalin.stop();
            throw new WebServerException("Cannot listen for HTTP on " + bindAddress + ":" + port + " ("
                    + e.getMessage() + "). Choose another port with --http-port or stop what uses it.", e);
        }
        log.info("HTTP server listening on {}:{}", bindAddress, javalin.port());
        return new WebServer(javalin);
    }

    /** The port actually bound. */
    public int port() {
        return javalin.port();
    }

    /** Stops accepting connections and waits briefly for requests in flight. */
    public void stop() {
        javalin.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
