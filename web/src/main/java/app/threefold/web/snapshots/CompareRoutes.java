package app.threefold.web.snapshots;

import app.threefold.engine.Engine;
import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import app.threefold.web.LiveEngine;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.snapshots.SnapshotCatalog.Summary;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code GET /devices/{device}/compare?from=A&to=B}: what changed between two snapshots, file by
 * file. Folders whose tree id is equal in both are skipped unread, so the cost follows the change.
 */
public final class CompareRoutes {

    static final int MAX_CHANGES = 1000;

    /** One difference: {@code kind} is added, removed or changed. */
    public record Change(String kind, String path, long sizeBefore, long sizeAfter) {
    }

    /** The comparison page's model. */
    public record ComparePage(Layout layout, String device, Summary from, Summary to, List<Change> changes,
                              boolean truncated) {
    }

    private final SnapshotCatalog catalog;
    private final LiveEngine engine;
    private final Pages pages;
    private final TreeCache trees = new TreeCache(200_000);

    public CompareRoutes(SnapshotCatalog catalog, LiveEngine engine, Pages pages) {
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
        Summary from = catalog.find(device, Objects.requireNonNullElse(ctx.queryParam("from"), ""))
                .orElseThrow(() -> new NotFoundResponse("Device " + device + " has no snapshot " + ctx.queryParam("from") + "."));
        Summary to = catalog.find(device, Objects.requireNonNullElse(ctx.queryParam("to"), ""))
                .orElseThrow(() -> new NotFoundResponse("Device " + device + " has no snapshot " + ctx.queryParam("to") + "."));
        Repository repo = engine.get().map(Engine::repository).orElseThrow(() -> new ServiceUnavailableResponse(
                "The appliance has no repository yet; finish the setup wizard."));
        List<Change> changes = new ArrayList<>();
        diff(repo, Id.parse(from.tree()), Id.parse(to.tree()), "", changes);
        boolean truncated = changes.size() > MAX_CHANGES;
        pages.render(ctx, "compare.jte", new ComparePage(Access.layout(ctx, "Compare snapshots", "devices"), device, from,
                to, truncated ? changes.subList(0, MAX_CHANGES) : changes, truncated));
    }

    private void diff(Repository repo, Id before, Id after, String path, List<Change> out) throws IOException {
        if (Objects.equals(before, after) || out.size() > MAX_CHANGES) {
            return;
        }
        List<Node> a = before == null ? List.of() : trees.load(repo, before);
        List<Node> b = after == null ? List.of() : trees.load(repo, after);
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            int cmp = i == a.size() ? 1 : j == b.size() ? -1 : TreeCodec.compareNames(a.get(i).name(), b.get(j).name());
            if (cmp < 0) {
                removed(repo, a.get(i++), path, out);
            } else if (cmp > 0) {
                added(repo, b.get(j++), path, out);
            } else {
                Node x = a.get(i++);
                Node y = b.get(j++);
                String p = path + "/" + x.name();
                if (x.isDir() && y.isDir()) {
                    diff(repo, x.subtree(), y.subtree(), p, out);
                } else if (x.isDir() || y.isDir()) {
                    removed(repo, x, path, out);
                    added(repo, y, path, out);
                } else if (!Objects.equals(x.content(), y.content()) || x.size() != y.size()
                        || !Objects.equals(x.linkTarget(), y.linkTarget())) {
                    out.add(new Change("changed", p, x.size(), y.size()));
                }
            }
            if (out.size() > MAX_CHANGES) {
                return;
            }
        }
    }

    private void added(Repository repo, Node n, String path, List<Change> out) throws IOException {
        if (n.isDir()) {
            diff(repo, null, n.subtree(), path + "/" + n.name(), out);
        } else {
            out.add(new Change("added", path + "/" + n.name(), 0, n.size()));
        }
    }

    private void removed(Repository repo, Node n, String path, List<Change> out) throws IOException {
        if (n.isDir()) {
            diff(repo, n.subtree(), null, path + "/" + n.name(), out);
        } else {
            out.add(new Change("removed", path + "/" + n.name(), n.size(), 0));
        }
    }
}
