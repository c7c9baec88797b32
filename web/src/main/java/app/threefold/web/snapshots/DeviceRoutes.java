package app.threefold.web.snapshots;

import app.threefold.jobs.Jobs;
import app.threefold.login.LoginThrottle;
import app.threefold.login.LoginThrottle.Failures;
import app.threefold.login.LoginThrottle.Realm;
import app.threefold.web.dashboard.DashboardRoutes;
import app.threefold.web.dashboard.DashboardRoutes.DeviceCard;
import app.threefold.web.page.Format;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.restoretests.JobView;
import app.threefold.web.restoretests.RestoreTestRoutes;
import app.threefold.web.session.Access;
import app.threefold.web.snapshots.SnapshotCatalog.Summary;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.util.List;

/** {@code GET /devices} (the cards) and {@code GET /devices/{device}}: snapshots, restore tests and their history. */
public final class DeviceRoutes {

    /** The device list: the active ones as cards, the archived (deleted, snapshots kept) apart. */
    public record DevicesPage(Layout layout, List<DeviceCard> devices, List<DeviceCard> archived) {
    }

    /**
     * One device: its card, snapshots newest first, restore tests newest first, its recent failed
     * SFTP logins as one sentence (null if there were none), and sessions that failed or were set aside.
     */
    public record DevicePage(Layout layout, DeviceCard card, List<Summary> snapshots, List<JobView> tests,
                             String failedLogins, List<SnapshotCatalog.SessionProblem> sessionProblems) {
    }

    private final DashboardRoutes dashboard;
    private final SnapshotCatalog catalog;
    private final Jobs jobs;
    private final LoginThrottle throttle;
    private final Pages pages;

    public DeviceRoutes(DashboardRoutes dashboard, SnapshotCatalog catalog, Jobs jobs, LoginThrottle throttle, Pages pages) {
        this.dashboard = dashboard;
        this.catalog = catalog;
        this.jobs = jobs;
        this.throttle = throttle;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/devices", ctx -> {
            List<DeviceCard> cards = dashboard.cards(Access.viewer(ctx));
            pages.render(ctx, "devices.jte", new DevicesPage(Access.layout(ctx, "Devices", "devices"),
                    cards.stream().filter(c -> !c.archived()).toList(), cards.stream().filter(DeviceCard::archived).toList()));
        });
        routes.get("/devices/{device}", this::device);
    }

    private void device(Context ctx) {
        String device = ctx.pathParam("device");
        Access.requireDevice(ctx, device);
        DeviceCard card = dashboard.cards(Access.viewer(ctx)).stream().filter(c -> c.name().equals(device)).findFirst()
                .orElseThrow(() -> new NotFoundResponse("There is no device " + device + "."));
        pages.render(ctx, "device.jte", new DevicePage(Access.layout(ctx, device, "devices"), card,
                catalog.list(device, 200),
                RestoreTestRoutes.recent(jobs, device),
                failedLogins(throttle.failures(Realm.DEVICES, device)), catalog.sessionProblems(device)));
    }

    /** "3 failed logins in the last 15 minutes, from 10.0.0.7; blocked until 22:41". */
    static String failedLogins(Failures failures) {
        if (failures.count() == 0) {
            return null;
        }
        return failures.count() + (failures.count() == 1 ? " failed login" : " failed logins") + " in the last "
                + LoginThrottle.WINDOW.toMinutes() + " minutes, from " + String.join(", ", failures.addresses())
                + failures.blockedUntil().map(t -> "; blocked until " + Format.timeOfDay(t)).orElse("");
    }
}
