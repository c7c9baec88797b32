package app.threefold.web.api;

import app.threefold.ThreefoldException;
import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldFailure;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.UncheckedIOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP statuses: a failure's {@link Kind} decides the status
 * ({@link #statusOf}); under {@code /api} every error is {@code {"error": "…"}}, elsewhere a small
 * HTML page; both with a message a person can act on. Unexpected exceptions are logged and
 * reported without details.
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
        routes.exception(ThreefoldException.class, (e, ctx) -> errors.respond(ctx, e, e.kind()));
        routes.exception(Exception.class, (e, ctx) -> {
            // Backend failures stay checked IOExceptions (often wrapped unchecked) but say what they mean all the same.
            Throwable failure = e instanceof UncheckedIOException u && u.getCause() instanceof ThreefoldFailure ? u.getCause() : e;
            if (failure instanceof ThreefoldFailure f) {
                errors.respond(ctx, failure, f.kind());
                return;
            }
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

    /**
     * The HTTP status of a failure's kind; the one place that decides it. {@link Kind#REFUSED} is 422:
     * the request was understood, a rule said no; a damaged repository is the server's problem (500),
     * never the client's (400); "no repository yet" is 503, as while the catalog is down.
     */
    public static int statusOf(Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> HttpStatus.BAD_REQUEST.getCode();
            case NOT_FOUND -> HttpStatus.NOT_FOUND.getCode();
            case CONFLICT -> HttpStatus.CONFLICT.getCode();
            case REFUSED -> HttpStatus.UNPROCESSABLE_CONTENT.getCode();
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE.getCode();
            case DAMAGED, INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR.getCode();
        };
    }

    /** A failure that says what it means: its message goes out with its kind's status. */
    private void respond(Context ctx, Throwable e, Kind kind) {
        if (kind == Kind.DAMAGED) {
            // The message names the damaged object and says to run check; a stack trace adds nothing.
            log.warn("{} {} found damaged data: {}", ctx.method(), ctx.path(), e.getMessage());
        } else if (kind == Kind.INTERNAL) {
            log.error("Unclassified failure serving {} {}", ctx.method(), ctx.path(), e);
        }
        respond(ctx, statusOf(kind), e.getMessage());
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
