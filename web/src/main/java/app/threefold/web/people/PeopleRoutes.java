package app.threefold.web.people;

import app.threefold.access.People;
import app.threefold.access.Person;
import app.threefold.account.AccountException;
import app.threefold.audit.AuditLog;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.snapshots.SnapshotCatalog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code /people}: the accounts, and adding a household member with their devices (admins only). */
public final class PeopleRoutes {

    /** The people page's model. */
    public record PeoplePage(Layout layout, List<Person> people, List<String> devices, String error) {
    }

    private final People people;
    private final SnapshotCatalog catalog;
    private final AuditLog audit;
    private final Pages pages;

    public PeopleRoutes(People people, SnapshotCatalog catalog, AuditLog audit, Pages pages) {
        this.people = people;
        this.catalog = catalog;
        this.audit = audit;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/people", ctx -> show(ctx, null));
        routes.post("/people", this::add);
    }

    private void show(Context ctx, String error) {
        Access.requireAdmin(ctx);
        pages.render(ctx, "people.jte", new PeoplePage(Access.layout(ctx, "People", "people"), people.list(),
                catalog.devices(), error));
    }

    private void add(Context ctx) {
        Access.requireAdmin(ctx);
        String name = Optional.ofNullable(ctx.formParam("name")).orElse("").trim();
        List<String> devices = ctx.formParams("devices");
        try {
            people.createMember(name, Optional.ofNullable(ctx.formParam("password")).orElse("").toCharArray(), devices);
        } catch (AccountException e) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
            show(ctx, e.getMessage().replace("admin", "account"));
            return;
        }
        audit.record(Access.viewer(ctx).name(), "member.added", Map.of("member", name, "devices", devices));
        ctx.redirect("/people", HttpStatus.SEE_OTHER);
    }
}
