package app.threefold.web.snapshots;

import app.threefold.engine.Engine;
import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.tree.Node;
import app.threefold.tree.TreeCodec;
import app.threefold.engine.EngineHolder;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.snapshots.SnapshotCatalog.Summary;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
    private final EngineHolder engine;
    private final Pages pages;
    private final TreeCache trees = new TreeCache(200_000);

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

    /** Two listings of one folder being merged; either side may be absent (a folder added or removed). */
    private static final class Pair {
        final String path;
        final List<Node> a;
        final List<Node> b;
        int i;
        int j;

        Pair(String path, List<Node> a, List<Node> b) {
            this.path = path;
            this.a = a;
            this.b = b;
        }
    }

    /**
     * Merges the two trees' listings depth first, in name order, as a person reads them. A loop
     * over an explicit stack, not recursion: a tree may be 2,048 folders deep. An entry of the
     * stack is either a folder pair still being merged or a change to report once the folders
     * above it on the stack are done.
     */
    private void diff(Repository repo, Id before, Id after, String path, List<Change> out) throws IOException {
        Deque<Object> stack = new ArrayDeque<>();
        push(repo, before, after, path, stack);
        while (!stack.isEmpty() && out.size() <= MAX_CHANGES) {
            Object top = stack.peek();
            if (top instanceof Change c) {
                stack.pop();
                out.add(c);
                continue;
            }
            Pair p = (Pair) top;
            if (p.i == p.a.size() && p.j == p.b.size()) {
                stack.pop();
                continue;
            }
            int cmp = p.i == p.a.size() ? 1 : p.j == p.b.size() ? -1 : TreeCodec.compareNames(p.a.get(p.i).name(), p.b.get(p.j).name());
            if (cmp < 0) {
                removed(repo, p.a.get(p.i++), p.path, stack);
            } else if (cmp > 0) {
                added(repo, p.b.get(p.j++), p.path, stack);
            } else {
                Node x = p.a.get(p.i++);
                Node y = p.b.get(p.j++);
                String at = p.path + "/" + x.name();
                if (x.isDir() && y.isDir()) {
                    push(repo, x.subtree(), y.subtree(), at, stack);
                } else if (x.isDir() || y.isDir()) {
                    // Pushed in reverse: what was there is reported first.
                    added(repo, y, p.path, stack);
                    removed(repo, x, p.path, stack);
                } else if (!Objects.equals(x.content(), y.content()) || x.size() != y.size()
                        || !Objects.equals(x.linkTarget(), y.linkTarget())) {
                    out.add(new Change("changed", at, x.size(), y.size()));
                }
            }
        }
    }

    /** Puts a folder pair on the stack, unless both sides are the same tree (nothing below changed). */
    private void push(Repository repo, Id before, Id after, String path, Deque<Object> stack) throws IOException {
        if (Objects.equals(before, after)) {
            return;
        }
        stack.push(new Pair(path, before == null ? List.of() : trees.load(repo, before),
                after == null ? List.of() : trees.load(repo, after)));
    }

    private void added(Repository repo, Node n, String path, Deque<Object> stack) throws IOException {
        if (n.isDir()) {
            push(repo, null, n.subtree(), path + "/" + n.name(), stack);
        } else {
            stack.push(new Change("added", path + "/" + n.name(), 0, n.size()));
        }
    }

    private void removed(Repository repo, Node n, String path, Deque<Object> stack) throws IOException {
        if (n.isDir()) {
            push(repo, n.subtree(), null, path + "/" + n.name(), stack);
        } else {
            stack.push(new Change("removed", path + "/" + n.name(), n.size(), 0));
        }
    }
}
