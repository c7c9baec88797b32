package app.threefold.web.api;

import app.threefold.ThreefoldException;
import app.threefold.access.PeopleException;
import app.threefold.access.UnknownPersonException;
import app.threefold.account.AccountException;
import app.threefold.device.UnknownDeviceException;
import app.threefold.catalog.CatalogUnavailableException;
import app.threefold.jobs.JobNotFoundException;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP statuses: under {@code /api} every error is
 * {@code {"error": "…"}}, elsewhere a small HTML page; both with a message a person can act on.
 * Unexpected exceptions are logged and reported without details.
 */
public final class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    /** The model of the HTML error page. */
    public record ErrorPage(Layout layout, int status, String message) {
    }

    private final Pages pages;

    private ApiErrors(Pages pages) {
        this.pages = pages;
    }

    public static void addTo(RoutesConfig routes, Pages pages) {
        ApiErrors errors = new ApiErrors(pages);
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e instanceof io.javalin.http.RedirectResponse) {
                ctx.status(e.getStatus()).result("");
                return;
            }
            // Only the API asks for Basic credentials; a browser page must not pop up a password dialog.
            if (e.getStatus() == HttpStatus.UNAUTHORIZED.getCode() && ctx.path().startsWith("/api/")) {
                ctx.header("WWW-Authenticate", ApiAuthentication.CHALLENGE);
            }
            errors.respond(ctx, e.getStatus(), e.getMessage());
        });
        // Bodies read with ctx.bodyAsClass: Jackson's checked exceptions reach here unwrapped.
        routes.exception(com.fasterxml.jackson.core.JsonProcessingException.class,
                (e, ctx) -> errors.respond(ctx, HttpStatus.BAD_REQUEST.getCode(), JsonBodies.describe(e)));
        routes.exception(ThreefoldException.class, (e, ctx) -> errors.respond(ctx, statusOf(e), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("Unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
            errors.respond(ctx, 500, "Internal error; the appliance log has the details.");
        });
        routes.error(404, ctx -> {
            if (ctx.path().startsWith("/api/") && ctx.resultInputStream() == null) {
                errors.respond(ctx, 404, "No such API endpoint: " + ctx.method() + " " + ctx.path());
            } else if (ctx.resultInputStream() == null) {
                errors.respond(ctx, 404, "There is no such page.");
            }
        });
    }

    static int statusOf(ThreefoldException e) {
        if (e instanceof CatalogUnavailableException) {
            return HttpStatus.SERVICE_UNAVAILABLE.getCode();
        }
        if (e instanceof JobNotFoundException || e instanceof UnknownDeviceException || e instanceof UnknownPersonException) {
            return HttpStatus.NOT_FOUND.getCode();
        }
        if (e instanceof app.threefold.sources.SourceNotFoundException) {
            return HttpStatus.NOT_FOUND.getCode();
        }
        if (e instanceof app.threefold.mirror.TargetNotFoundException) {
            return HttpStatus.NOT_FOUND.getCode();
        }
        // A copy that cannot be written now (syncing, disk not mounted, read-only, full): the request was fine.
        if (e instanceof app.threefold.mirror.TargetBusyException
                || e instanceof app.threefold.mirror.TargetNotMountedException
                || e instanceof app.threefold.mirror.TargetReadOnlyException
                || e instanceof app.threefold.mirror.TargetFullException) {
            return HttpStatus.CONFLICT.getCode();
        }
        if (e instanceof app.threefold.mirror.InvalidTargetException) {
            return HttpStatus.UNPROCESSABLE_CONTENT.getCode();
        }
        if (e instanceof app.threefold.sources.SourceBusyException) {
            return HttpStatus.CONFLICT.getCode();
        }
        if (e instanceof app.threefold.sources.InvalidSourceException
                || e instanceof app.threefold.restore.InvalidRestoreFolderException) {
            return HttpStatus.UNPROCESSABLE_CONTENT.getCode();
        }
        if (e instanceof PeopleException) {
            return HttpStatus.CONFLICT.getCode();
        }
        if (e instanceof AccountException || e instanceof app.threefold.device.DeviceException) {
            return HttpStatus.UNPROCESSABLE_CONTENT.getCode();
        }
        return HttpStatus.BAD_REQUEST.getCode();
    }

    private void respond(Context ctx, int status, String message) {
        String text = message == null || message.isBlank() ? "Error " + status : message;
        if (ctx.path().startsWith("/api/")) {
            ctx.status(status).json(Map.of("error", text));
        } else if (ctx.res().isCommitted()) {
            log.warn("{} {} failed after the response started: {}", ctx.method(), ctx.path(), text);
        } else {
            pages.render(ctx, "error.jte", new ErrorPage(Layout.anonymous("Error " + status, ""), status, text));
            ctx.status(status);
        }
    }
}
