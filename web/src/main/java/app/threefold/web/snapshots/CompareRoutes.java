package app.threefold.web.snapshots;

import app.threefold.browse.SnapshotFiles;
import app.threefold.browse.SnapshotFiles.Change;
import app.threefold.browse.SnapshotFiles.Comparison;
import app.threefold.browse.SnapshotRoot;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.snapshot.SnapshotId;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.snapshots.SnapshotCatalog.Summary;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import java.io.IOException;
import java.util.List;

/**
 * {@code GET /devices/{device}/compare?from=A&to=B}: what changed between two snapshots, file by
 * file, as {@link SnapshotFiles#compare} finds it.
 */
public final class CompareRoutes {

    static final int MAX_CHANGES = 1000;

    /** The comparison page's model. */
    public record ComparePage(Layout layout, String device, Summary from, Summary to, List<Change> changes,
                              boolean truncated) {
    }

    private final SnapshotCatalog catalog;
    private final EngineHolder engine;
    private final Pages pages;

    public CompareRoutes(SnapshotCatalog catalog, EngineHolder engine, Pages pages) {
        this.catalog = catalog;
        this.engine = engine;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/devices/{device}/compare", this::compare);
    }

    private void compare(Context ctx) throws IOException {
        String device = ctx.pathParam("device");
        Access.requireDevice(ctx, device);
        Summary from = catalog.find(device, SnapshotId.parse(ctx.queryParam("from")))
                .orElseThrow(() -> new NotFoundResponse("Device " + device + " has no snapshot " + ctx.queryParam("from") + "."));
        Summary to = catalog.find(device, SnapshotId.parse(ctx.queryParam("to")))
                .orElseThrow(() -> new NotFoundResponse("Device " + device + " has no snapshot " + ctx.queryParam("to") + "."));
        SnapshotFiles files = engine.get().map(Engine::files).orElseThrow(() -> new ServiceUnavailableResponse(
                "The appliance has no repository yet; finish the setup wizard."));
        Comparison comparison = files.compare(SnapshotRoot.of(from.tree()), SnapshotRoot.of(to.tree()), MAX_CHANGES);
        pages.render(ctx, "compare.jte", new ComparePage(Access.layout(ctx, "Compare snapshots", "devices"), device, from,
                to, comparison.changes(), comparison.truncated()));
    }
}
