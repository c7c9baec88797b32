package app.threefold.web.activity;

import app.threefold.audit.AuditLog;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;

/** {@code GET /activity}: the activity log, filterable by kind of event and by text (admins only). */
public final class ActivityRoutes {

    /** The activity page's model; {@code action} and {@code q} are the filters in force. */
    public record ActivityPage(Layout layout, List<Events.Row> rows, List<String> actions, String action, String q) {
    }

    private final AuditLog audit;
    private final Pages pages;

    public ActivityRoutes(AuditLog audit, Pages pages) {
        this.audit = audit;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/activity", this::activity);
    }

    private void activity(Context ctx) {
        Access.requireAdmin(ctx);
        String action = Optional.ofNullable(ctx.queryParam("action")).orElse("");
        String q = Optional.ofNullable(ctx.queryParam("q")).orElse("");
        List<Events.Row> rows = audit.search(action, q, 500).stream().map(Events::row).toList();
        ActivityPage page = new ActivityPage(Access.layout(ctx, "Activity", "activity"), rows, audit.actions(), action, q);
        pages.render(ctx, ctx.header("HX-Request") == null ? "activity.jte"
                : "activity-rows.jte", page);
    }
}
