package app.threefold.web.session;

import app.threefold.access.Person;
import app.threefold.access.Role;
import app.threefold.web.page.Layout;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;

/** Who the current panel request acts for, as the {@link Guard} established it. */
public final class Access {

    static final String VIEWER = "threefold.viewer";
    static final String SESSION = "threefold.session";

    private Access() {
    }

    public static Person viewer(Context ctx) {
        Person p = ctx.attribute(VIEWER);
        if (p == null) {
            throw new IllegalStateException("no viewer on " + ctx.path() + "; is the route behind the Guard?");
        }
        return p;
    }

    public static Sessions.Session session(Context ctx) {
        return ctx.attribute(SESSION);
    }

    /** The page frame for the current viewer. */
    public static Layout layout(Context ctx, String title, String active) {
        Person p = viewer(ctx);
        return new Layout(title, p.name(), p.role() == Role.ADMIN, session(ctx).csrf(), active);
    }

    /** Refuses with 403 unless the viewer may see and restore {@code device}. */
    public static void requireDevice(Context ctx, String device) {
        if (!viewer(ctx).mayAccess(device)) {
            throw new ForbiddenResponse("You may not open device " + device + "; ask an admin to assign it to you.");
        }
    }

    public static void requireAdmin(Context ctx) {
        if (viewer(ctx).role() != Role.ADMIN) {
            throw new ForbiddenResponse("Only an admin may do this.");
        }
    }
}
