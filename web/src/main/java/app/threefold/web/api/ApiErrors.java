package app.threefold.web.api;

import app.threefold.ThreefoldException;
import app.threefold.account.AccountException;
import app.threefold.catalog.CatalogUnavailableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP statuses: every error is {@code {"error": "…"}} with a
 * message a person can act on. Unexpected exceptions are logged and reported without details.
 */
public final class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    public static void addTo(RoutesConfig routes) {
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == HttpStatus.UNAUTHORIZED.getCode()) {
                ctx.header("WWW-Authenticate", ApiAuthentication.CHALLENGE);
            }
            respond(ctx, e.getStatus(), e.getMessage());
        });
        routes.exception(ThreefoldException.class, (e, ctx) -> respond(ctx, statusOf(e), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("Unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, 500, "Internal error; the appliance log has the details.");
        });
        routes.error(404, ctx -> {
            if (ctx.path().startsWith("/api/") && ctx.resultInputStream() == null) {
                respond(ctx, 404, "No such API endpoint: " + ctx.method() + " " + ctx.path());
            }
        });
    }

    static int statusOf(ThreefoldException e) {
        if (e instanceof CatalogUnavailableException) {
            return HttpStatus.SERVICE_UNAVAILABLE.getCode();
        }
        if (e instanceof AccountException || e instanceof app.threefold.device.DeviceException) {
            return HttpStatus.UNPROCESSABLE_CONTENT.getCode();
        }
        return HttpStatus.BAD_REQUEST.getCode();
    }

    private static void respond(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message == null ? "Error " + status : message));
    }
}
