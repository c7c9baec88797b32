package app.threefold.web.snapshots;

import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreTests;
import app.threefold.web.dashboard.DashboardRoutes;
import app.threefold.web.dashboard.DashboardRoutes.DeviceCard;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.restoretests.JobView;
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

    /** One device: its card, snapshots newest first, and restore tests newest first. */
    public record DevicePage(Layout layout, DeviceCard card, List<Summary> snapshots, List<JobView> tests,
                             List<SnapshotCatalog.SessionProblem> sessionProblems) {
    }

    private final DashboardRoutes dashboard;
    private final SnapshotCatalog catalog;
    private final Jobs jobs;
    private final Pages pages;

    public DeviceRoutes(DashboardRoutes dashboard, SnapshotCatalog catalog, Jobs jobs, Pages pages) {
        this.dashboard = dashboard;
        this.catalog = catalog;
        this.jobs = jobs;
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
                jobs.history(RestoreTests.KIND, device, 20).stream().map(JobView::new).toList(),
                catalog.sessionProblems(device)));
    }
}
