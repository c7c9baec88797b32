package app.threefold.web.snapshots;

import app.threefold.browse.SnapshotFiles;
import app.threefold.browse.SnapshotFiles.Found;
import app.threefold.browse.SnapshotPath;
import app.threefold.browse.SnapshotRoot;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.web.page.Format;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.snapshots.SnapshotCatalog.Summary;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.ServiceUnavailableResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * File-name search across all snapshots of a device, and one file's version history, as
 * {@link SnapshotFiles#search} and {@link SnapshotFiles#history} find them in the device's
 * snapshots newest first.
 */
public final class SearchRoutes {

    static final int MAX_HITS = 500;
    private static final int MAX_SNAPSHOTS = 1000;

    /**
     * The search page's model: each hit a file (one version of it) that matched, where, how big, and
     * the newest snapshot holding it; {@code truncated} when more than {@link #MAX_HITS} matched.
     */
    public record SearchPage(Layout layout, String device, String q, List<Found<Summary>> hits, boolean truncated) {
    }

    /** The history page's model: the file's versions, newest first. */
    public record HistoryPage(Layout layout, String device, String path, List<Found<Summary>> versions) {
    }

    private final SnapshotCatalog catalog;
    private final EngineHolder engine;
    private final Pages pages;

    public SearchRoutes(SnapshotCatalog catalog, EngineHolder engine, Pages pages) {
        this.catalog = catalog;
        this.engine = engine;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/devices/{device}/search", this::search);
        routes.get("/devices/{device}/history", this::history);
    }

    private SnapshotFiles files() {
        return engine.get().map(Engine::files).orElseThrow(() -> new ServiceUnavailableResponse(
                "The appliance has no repository yet; finish the setup wizard."));
    }

    private void search(Context ctx) throws IOException {
        String device = ctx.pathParam("device");
        Access.requireDevice(ctx, device);
        String q = Optional.ofNullable(ctx.queryParam("q")).orElse("").trim();
        List<Found<Summary>> hits = List.of();
        boolean truncated = false;
        if (!q.isEmpty()) {
            SnapshotFiles.Search<Summary> found = files().search(catalog.list(device, MAX_SNAPSHOTS),
                    s -> SnapshotRoot.of(s.tree()), q, MAX_HITS);
            hits = found.hits();
            truncated = found.truncated();
        }
        pages.render(ctx, "search.jte", new SearchPage(Access.layout(ctx, "Search " + device, "devices"), device, q,
                hits, truncated));
    }

    private void history(Context ctx) throws IOException {
        String device = ctx.pathParam("device");
        Access.requireDevice(ctx, device);
        SnapshotPath path = SnapshotPath.parse(Format.queryValue(ctx.queryString(), "path"));
        List<Found<Summary>> versions = files().history(catalog.list(device, MAX_SNAPSHOTS), s -> SnapshotRoot.of(s.tree()),
                path);
        pages.render(ctx, "history.jte", new HistoryPage(Access.layout(ctx, "History of " + path, "devices"), device,
                path.toString(), versions));
    }
}
