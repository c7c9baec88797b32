package app.threefold.web.snapshots;

import app.threefold.engine.Engine;
import app.threefold.format.Id;
import app.threefold.repository.Repository;
import app.threefold.tree.Node;
import app.threefold.tree.TreeWalk;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * File-name search across all snapshots of a device, and one file's version history. Both walk
 * the snapshots' trees newest first; a folder whose tree is unchanged since a snapshot already
 * walked is skipped, so the cost follows what changed, not the number of snapshots.
 */
public final class SearchRoutes {

    static final int MAX_HITS = 500;
    private static final int MAX_SNAPSHOTS = 1000;

    /** A file (one version of it) that matched: where, how big, and the newest snapshot holding it. */
    public record Hit(String path, long size, Instant mtime, Summary newest, int snapshots) {
    }

    /** The search page's model; {@code truncated} when more than {@link #MAX_HITS} matched. */
    public record SearchPage(Layout layout, String device, String q, List<Hit> hits, boolean truncated) {
    }

    /** The history page's model: the file's versions, newest first. */
    public record HistoryPage(Layout layout, String device, String path, List<Hit> versions) {
    }

    private final SnapshotCatalog catalog;
    private final EngineHolder engine;
    private final Pages pages;
    private final TreeCache trees = new TreeCache(200_000);

    public SearchRoutes(SnapshotCatalog catalog, EngineHolder engine, Pages pages) {
        this.catalog = catalog;
        this.engine = engine;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/devices/{device}/search", this::search);
        routes.get("/devices/{device}/history", this::history);
    }

    private Repository repository() {
        return engine.get().map(Engine::repository).orElseThrow(() -> new ServiceUnavailableResponse(
                "The appliance has no repository yet; finish the setup wizard."));
    }

    private void search(Context ctx) throws IOException {
        String device = ctx.pathParam("device");
        Access.requireDevice(ctx, device);
        String q = Optional.ofNullable(ctx.queryParam("q")).orElse("").trim();
        Map<String, Hit> hits = new LinkedHashMap<>();
        boolean truncated = false;
        if (!q.isEmpty()) {
            truncated = find(repository(), device, q.toLowerCase(Locale.ROOT), hits);
        }
        pages.render(ctx, "search.jte", new SearchPage(Access.layout(ctx, "Search " + device, "devices"), device, q,
                List.copyOf(hits.values()), truncated));
    }

    /** Fills {@code hits} (key: path + content) from newest to oldest; true if it stopped at the limit. */
    private boolean find(Repository repo, String device, String needle, Map<String, Hit> hits) throws IOException {
        Set<String> walked = new HashSet<>();
        for (Summary s : catalog.list(device, MAX_SNAPSHOTS)) {
            if (walk(repo, Id.parse(s.tree()), "", needle, s, walked, hits)) {
                return true;
            }
        }
        return false;
    }

    /** Searches one snapshot depth first (see {@link TreeWalk}). True if it stopped at the limit. */
    private boolean walk(Repository repo, Id root, String rootPath, String needle, Summary snapshot, Set<String> walked,
                         Map<String, Hit> hits) throws IOException {
        return !TreeWalk.walk(root, rootPath, (tree, path) -> enter(repo, tree, path, walked, hits), (p, n) -> {
            if (n.isFile() && n.name().toLowerCase(Locale.ROOT).contains(needle)) {
                String key = p + "\0" + Node.contentKey(n.content()).hex();
                Hit seen = hits.get(key);
                if (seen != null) {
                    hits.put(key, new Hit(p, seen.size(), seen.mtime(), seen.newest(), seen.snapshots() + 1));
                } else {
                    if (hits.size() >= MAX_HITS) {
                        return false;
                    }
                    hits.put(key, new Hit(p, n.size(), n.mtime(), snapshot, 1));
                }
            }
            return true;
        });
    }

    /** A folder's entries, or null if a newer snapshot had the same content at the same path (its hits count this one too). */
    private List<Node> enter(Repository repo, Id tree, String path, Set<String> walked, Map<String, Hit> hits)
            throws IOException {
        if (!walked.add(tree.hex() + path)) {
            for (Map.Entry<String, Hit> e : hits.entrySet()) {
                Hit h = e.getValue();
                if (h.path().startsWith(path + "/")) {
                    e.setValue(new Hit(h.path(), h.size(), h.mtime(), h.newest(), h.snapshots() + 1));
                }
            }
            return null;
        }
        return trees.load(repo, tree);
    }

    private void history(Context ctx) throws IOException {
        String device = ctx.pathParam("device");
        Access.requireDevice(ctx, device);
        List<String> parts = BrowseRoutes.parts(Format.queryValue(ctx.queryString(), "path"));
        String path = BrowseRoutes.join(parts);
        Repository repo = repository();
        Map<String, Hit> versions = new LinkedHashMap<>();
        for (Summary s : catalog.list(device, MAX_SNAPSHOTS)) {
            Node n = lookup(repo, Id.parse(s.tree()), parts);
            if (n == null || !n.isFile()) {
                continue;
            }
            String key = Node.contentKey(n.content()).hex();
            Hit seen = versions.get(key);
            versions.put(key, seen == null ? new Hit(path, n.size(), n.mtime(), s, 1)
                    : new Hit(path, seen.size(), seen.mtime(), seen.newest(), seen.snapshots() + 1));
        }
        pages.render(ctx, "history.jte", new HistoryPage(Access.layout(ctx, "History of " + path, "devices"), device,
                path, new ArrayList<>(versions.values())));
    }

    private Node lookup(Repository repo, Id root, List<String> parts) throws IOException {
        Id tree = root;
        Node found = null;
        for (String part : parts) {
            if (tree == null) {
                return null;
            }
            found = null;
            for (Node n : trees.load(repo, tree)) {
                if (n.name().equals(part)) {
                    found = n;
                    break;
                }
            }
            if (found == null) {
                return null;
            }
            tree = found.isDir() ? found.subtree() : null;
        }
        return found;
    }
}
