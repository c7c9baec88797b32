package app.threefold.web.people;

import app.threefold.access.People;
import app.threefold.access.PeopleException;
import app.threefold.access.Person;
import app.threefold.access.Role;
import app.threefold.account.AccountException;
import app.threefold.audit.AuditLog;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.session.Sessions;
import app.threefold.web.snapshots.SnapshotCatalog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /people}: the accounts, adding a household member with their devices, and per person
 * ({@code /people/{id}}) changing their role and devices, resetting their password and removing
 * them. Admins only.
 */
public final class PeopleRoutes {

    /** The people page's model. */
    public record PeoplePage(Layout layout, List<Person> people, List<String> devices, String error) {
    }

    /** One person's page; {@code self} when the admin looks at their own account. */
    public record PersonPage(Layout layout, Person person, List<String> devices, boolean self, String error) {
    }

    private final People people;
    private final SnapshotCatalog catalog;
    private final Sessions sessions;
    private final AuditLog audit;
    private final Pages pages;

    public PeopleRoutes(People people, SnapshotCatalog catalog, Sessions sessions, AuditLog audit, Pages pages) {
        this.people = people;
        this.catalog = catalog;
        this.sessions = sessions;
        this.audit = audit;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/people", ctx -> show(ctx, null));
        routes.post("/people", this::add);
        routes.get("/people/{id}", ctx -> showPerson(ctx, person(ctx), null));
        routes.post("/people/{id}", this::update);
        routes.post("/people/{id}/password", this::resetPassword);
        routes.post("/people/{id}/remove", this::remove);
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

    /** The person of the path, for an admin. */
    private Person person(Context ctx) {
        Access.requireAdmin(ctx);
        String id = ctx.pathParam("id");
        Optional<Person> found;
        try {
            found = people.find(Long.parseLong(id));
        } catch (NumberFormatException e) {
            found = Optional.empty();
        }
        return found.orElseThrow(() -> new NotFoundResponse("There is no such person; they may have been removed."));
    }

    private void showPerson(Context ctx, Person person, String error) {
        if (error != null) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
        }
        // Assigned names without a device or snapshot yet are listed too, so saving the form keeps them.
        java.util.SortedSet<String> devices = new java.util.TreeSet<>(catalog.devices());
        devices.addAll(person.devices());
        pages.render(ctx, "person.jte", new PersonPage(Access.layout(ctx, person.name(), "people"), person,
                List.copyOf(devices), person.id() == Access.viewer(ctx).id(), error));
    }

    private void update(Context ctx) {
        Person person = person(ctx);
        Role role = "admin".equals(ctx.formParam("role")) ? Role.ADMIN : Role.MEMBER;
        List<String> devices = ctx.formParams("devices");
        try {
            people.update(Access.viewer(ctx).id(), person.id(), role, devices);
        } catch (PeopleException e) {
            showPerson(ctx, person, e.getMessage());
            return;
        }
        audit.record(Access.viewer(ctx).name(), "person.changed", Map.of("person", person.name(), "role", role.label(),
                "devices", role == Role.ADMIN ? List.of() : devices));
        ctx.redirect("/people", HttpStatus.SEE_OTHER);
    }

    private void resetPassword(Context ctx) {
        Person person = person(ctx);
        try {
            people.resetPassword(person.id(), Optional.ofNullable(ctx.formParam("password")).orElse("").toCharArray());
        } catch (AccountException | PeopleException e) {
            showPerson(ctx, person, e.getMessage());
            return;
        }
        // Whoever knew the old password is logged out; the admin resetting their own stays in.
        sessions.endAll(person.id(), Access.session(ctx));
        audit.record(Access.viewer(ctx).name(), "person.password-reset", Map.of("person", person.name()));
        ctx.redirect("/people", HttpStatus.SEE_OTHER);
    }

    private void remove(Context ctx) {
        Person person = person(ctx);
        try {
            people.remove(Access.viewer(ctx).id(), person.id());
        } catch (PeopleException e) {
            showPerson(ctx, person, e.getMessage());
            return;
        }
        sessions.endAll(person.id(), null);
        audit.record(Access.viewer(ctx).name(), "person.removed", Map.of("person", person.name()));
        ctx.redirect("/people", HttpStatus.SEE_OTHER);
    }
}
