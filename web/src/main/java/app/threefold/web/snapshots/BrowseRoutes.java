package app.threefold.web.snapshots;

import app.threefold.audit.AuditLog;
import app.threefold.engine.Engine;
import app.threefold.format.Id;
import app.threefold.jobs.Job;
import app.threefold.jobs.Restores;
import app.threefold.repository.RepositoryException;
import app.threefold.restore.RestoreFolders;
import app.threefold.restore.RestoreTargetException;
import app.threefold.web.restoretests.JobView;
import app.threefold.repository.Repository;
import app.threefold.restore.ContentReader;
import app.threefold.tree.Node;
import app.threefold.web.LiveEngine;
import app.threefold.web.page.Format;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.snapshots.SnapshotCatalog.Summary;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Browsing a snapshot folder by folder (paged, so folders of 100,000 files stay fast), downloading
 * a file with HTTP range requests, and a folder as a zip streamed while it is read.
 */
public final class BrowseRoutes {

    static final int PAGE_SIZE = 200;
    /** How much of a text file the preview shows; the rest is a download away. */
    static final int TEXT_PREVIEW_BYTES = 64 * 1024;
    /** Larger images are not shown inline: a phone on Wi-Fi should not fetch a 200 MB TIFF to look at it. */
    static final long IMAGE_PREVIEW_BYTES = 32L << 20;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    /** A folder entry as listed. */
    public record Entry(String name, String type, long size, Instant mtime, String path) {

        public boolean dir() {
            return Node.DIR.equals(type);
        }

        public boolean file() {
            return Node.FILE.equals(type);
        }

        /** What the listing's icon shows. */
        public FileKind kind() {
            return FileKind.of(name, type);
        }

        /** Whether the panel can show this file without a download. */
        public boolean previewable() {
            return file() && FileKind.preview(name) != FileKind.Preview.NONE;
        }
    }

    /** One step of the breadcrumb trail. */
    public record Crumb(String name, String path) {
    }

    /**
     * A file shown in the panel: an image through {@code /inline}, or the start of a text file
     * ({@code text} is null for images and for files the panel cannot show).
     */
    public record PreviewPage(Layout layout, String device, Summary snapshot, String path, List<Crumb> crumbs,
                              Entry file, FileKind.Preview preview, String text, boolean truncated) {
    }

    /** The browse page's model. */
    public record BrowsePage(Layout layout, String device, Summary snapshot, String path, List<Crumb> crumbs,
                             List<Entry> entries, int page, int pages, int total) {
    }

    private final SnapshotCatalog catalog;
    private final LiveEngine engine;
    private final Restores restores;
    private final AuditLog audit;
    private final Pages pages;
    private final TreeCache trees = new TreeCache(400_000);

    public BrowseRoutes(SnapshotCatalog catalog, LiveEngine engine, Restores restores, AuditLog audit, Pages pages) {
        this.catalog = catalog;
        this.engine = engine;
        this.restores = restores;
        this.audit = audit;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/devices/{device}/snapshots/{snapshot}", this::browse);
        routes.get("/devices/{device}/snapshots/{snapshot}/file", this::download);
        routes.get("/devices/{device}/snapshots/{snapshot}/zip", this::zip);
        routes.get("/devices/{device}/snapshots/{snapshot}/preview", this::preview);
        routes.get("/devices/{device}/snapshots/{snapshot}/inline", this::inline);
        routes.post("/devices/{device}/snapshots/{snapshot}/zip", this::zipSelected);
        routes.post("/devices/{device}/snapshots/{snapshot}/restore", this::restore);
        routes.get("/restore-targets", this::pickTarget);
    }

    /** The restore box's folder picker: the NAS shares, or the subfolders of one folder on them. */
    public record TargetPicker(List<java.nio.file.Path> shares, RestoreFolders.Listing listing) {
    }

    /**
     * An HTMX fragment for choosing a restore target: without {@code folder} the shares, with it
     * that folder's subfolders (admins only: it shows the NAS's folders). A folder outside the
     * shares, or inside the data directory, is refused with 400.
     */
    private void pickTarget(Context ctx) {
        Access.requireAdmin(ctx);
        String folder = Format.queryValue(ctx.queryString(), "folder");
        RestoreFolders folders = restores.folders();
        try {
            RestoreFolders.Listing listing = folder == null || folder.isBlank() ? null : folders.subfolders(folder);
            pages.render(ctx, "restore-picker.jte", new TargetPicker(folders.all(), listing));
        } catch (RestoreTargetException e) {
            pages.render(ctx, "notice.jte", e.getMessage());
            ctx.status(HttpStatus.BAD_REQUEST);
        }
    }

    /** The snapshot paths a listing's checkboxes selected ({@link Format#url} encoded form fields). */
    private static List<String> picked(Context ctx) {
        List<String> paths = new ArrayList<>();
        for (String value : ctx.formParams("pick")) {
            List<String> parts = parts(Format.fromUrl(value));
            if (parts.isEmpty()) {
                throw new BadRequestResponse("Select files or folders inside the snapshot, not the snapshot itself.");
            }
            paths.add(join(parts));
        }
        return paths;
    }

    /** Restores the folder or file at {@code path} into {@code target} on the NAS (admins only: it writes to the NAS). */
    private void restore(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        Access.requireAdmin(ctx);
        String path = join(parts(Format.fromUrl(ctx.formParam("path"))));
        List<String> picked = picked(ctx);
        try {
            Job job = picked.isEmpty()
                    ? restores.start(snapshot.device(), Id.parse(snapshot.tree()), path, ctx.formParam("target"),
                            Access.viewer(ctx).name())
                    : restores.startSelected(snapshot.device(), Id.parse(snapshot.tree()), picked, ctx.formParam("target"),
                            Access.viewer(ctx).name());
            pages.render(ctx, "job-live.jte", new JobView(job));
        } catch (RepositoryException | RestoreTargetException e) {
            // Shown where the progress bar would be (the slot swaps refusals in, see app.js).
            pages.render(ctx, "notice.jte", e.getMessage());
            ctx.status(app.threefold.web.api.ApiErrors.statusOf(e.kind()));
        }
    }

    private Summary snapshot(Context ctx) {
        String device = ctx.pathParam("device");
        Access.requireDevice(ctx, device);
        return catalog.find(device, ctx.pathParam("snapshot")).orElseThrow(() -> new NotFoundResponse(
                "Device " + device + " has no snapshot " + ctx.pathParam("snapshot") + "."));
    }

    private Repository repository() {
        return engine.get().map(Engine::repository).orElseThrow(() -> new ServiceUnavailableResponse(
                "The appliance has no repository yet; finish the setup wizard."));
    }

    /** The path's parts, refusing anything that is not a plain name. */
    static List<String> parts(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : (path == null ? "" : path).split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.equals(".") || part.equals("..")) {
                throw new BadRequestResponse("Paths in a snapshot cannot contain '.' or '..'.");
            }
            parts.add(part);
        }
        return parts;
    }

    static String join(List<String> parts) {
        return "/" + String.join("/", parts);
    }

    /** The node at {@code parts} below the snapshot's root; null for the root itself. */
    private Node resolve(Repository repo, Summary snapshot, List<String> parts) throws IOException {
        Id tree = Id.parse(snapshot.tree());
        Node found = null;
        for (String part : parts) {
            if (tree == null) {
                throw new NotFoundResponse(join(parts) + " is not in this snapshot.");
            }
            found = null;
            for (Node n : trees.load(repo, tree)) {
                if (n.name().equals(part)) {
                    found = n;
                    break;
                }
            }
            if (found == null) {
                throw new NotFoundResponse(join(parts) + " is not in this snapshot.");
            }
            tree = found.isDir() ? found.subtree() : null;
        }
        return found;
    }

    /** One page of a folder's entries, with the folder's total size in {@code total}. */
    public BrowsePage folder(Layout layout, Summary snapshot, String path, int page) throws IOException {
        Repository repo = repository();
        List<String> parts = parts(path);
        Node folder = resolve(repo, snapshot, parts);
        if (folder != null && !folder.isDir()) {
            throw new BadRequestResponse(join(parts) + " is a file, not a folder.");
        }
        Id tree = folder == null ? Id.parse(snapshot.tree()) : folder.subtree();
        String prefix = join(parts).equals("/") ? "/" : join(parts) + "/";
        int from = (Math.max(1, page) - 1) * PAGE_SIZE;
        TreePage.Result listing = tree == null ? new TreePage.Result(List.of(), 0)
                : TreePage.read(repo.loadBlob(app.threefold.format.BlobType.TREE, tree), from, PAGE_SIZE, prefix);
        int pageCount = Math.max(1, (listing.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        int current = Math.max(1, Math.min(page, pageCount));
        if (current != Math.max(1, page)) {
            // Asked past the end: show the last page instead.
            listing = TreePage.read(repo.loadBlob(app.threefold.format.BlobType.TREE, tree), (current - 1) * PAGE_SIZE,
                    PAGE_SIZE, prefix);
        }
        List<Entry> entries = listing.entries();
        List<Crumb> crumbs = new ArrayList<>();
        crumbs.add(new Crumb("snapshot " + snapshot.shortId() + " of " + app.threefold.web.page.Format.time(snapshot.time()), "/"));
        for (int i = 0; i < parts.size(); i++) {
            crumbs.add(new Crumb(parts.get(i), join(parts.subList(0, i + 1))));
        }
        return new BrowsePage(layout, snapshot.device(), snapshot, join(parts), crumbs, entries, current, pageCount,
                listing.total());
    }

    private void browse(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        int page = parsePage(ctx.queryParam("page"));
        pages.render(ctx, "browse.jte", folder(Access.layout(ctx, "Browse " + snapshot.device(), "devices"), snapshot,
                Format.queryValue(ctx.queryString(), "path"), page));
    }

    private static int parsePage(String page) {
        try {
            return page == null ? 1 : Integer.parseInt(page);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private void download(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        Repository repo = repository();
        List<String> parts = parts(Format.queryValue(ctx.queryString(), "path"));
        Node node = resolve(repo, snapshot, parts);
        if (node == null || !node.isFile()) {
            throw new BadRequestResponse(join(parts) + " is not a file; download folders as zip.");
        }
        ContentReader reader = new ContentReader(repo, node.content());
        long size = reader.size();
        long start = 0;
        long end = size - 1;
        int status = 200;
        String range = ctx.header("Range");
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                if (m.group(1).isEmpty()) {
                    start = Math.max(0, size - Long.parseLong(m.group(2)));
                } else {
                    start = Long.parseLong(m.group(1));
                    end = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                }
                if (start >= size || start > end) {
                    ctx.status(416).header("Content-Range", "bytes */" + size).result("");
                    return;
                }
                status = 206;
                ctx.header("Content-Range", "bytes " + start + "-" + end + "/" + size);
            }
            // Several ranges or units other than bytes: the whole file, as RFC 9110 allows.
        }
        if (start == 0) {
            // Once per download, not per range request of a player scrubbing through a video.
            audit.record(Access.viewer(ctx).name(), "download.file", Map.of("device", snapshot.device(),
                    "snapshot", snapshot.shortId(), "path", join(parts)));
        }
        String type = URLConnection.guessContentTypeFromName(node.name());
        ctx.status(status);
        ctx.header("Accept-Ranges", "bytes");
        ctx.header("Content-Type", type == null ? "application/octet-stream" : type);
        ctx.header("Content-Disposition", disposition(node.name()));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.res().setContentLengthLong(Math.max(0, end - start + 1));
        try (InputStream in = reader.stream(start, end - start + 1); OutputStream out = ctx.res().getOutputStream()) {
            in.transferTo(out);
        }
    }

    /** A page showing an image or the start of a text file, with its download link. */
    private void preview(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        Repository repo = repository();
        List<String> parts = parts(ctx.queryParam("path"));
        Node node = resolve(repo, snapshot, parts);
        if (node == null || !node.isFile()) {
            throw new BadRequestResponse(join(parts) + " is not a file; folders are browsed, not previewed.");
        }
        FileKind.Preview preview = FileKind.preview(node.name());
        String text = null;
        boolean truncated = false;
        if (preview == FileKind.Preview.TEXT) {
            ContentReader reader = new ContentReader(repo, node.content());
            long shown = Math.min(reader.size(), TEXT_PREVIEW_BYTES);
            try (InputStream in = reader.stream(0, shown)) {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)
                        .decode(java.nio.ByteBuffer.wrap(in.readAllBytes())).toString();
            }
            truncated = shown < reader.size();
        } else if (preview == FileKind.Preview.IMAGE && node.size() > IMAGE_PREVIEW_BYTES) {
            preview = FileKind.Preview.NONE;
        }
        audit.record(Access.viewer(ctx).name(), "download.preview", Map.of("device", snapshot.device(),
                "snapshot", snapshot.shortId(), "path", join(parts)));
        List<Crumb> crumbs = new ArrayList<>();
        crumbs.add(new Crumb("snapshot " + snapshot.shortId() + " of " + app.threefold.web.page.Format.time(snapshot.time()), "/"));
        for (int i = 0; i < parts.size() - 1; i++) {
            crumbs.add(new Crumb(parts.get(i), join(parts.subList(0, i + 1))));
        }
        Entry file = new Entry(node.name(), node.type(), node.size(), node.mtime(), join(parts));
        pages.render(ctx, "preview.jte", new PreviewPage(Access.layout(ctx, node.name(), "devices"), snapshot.device(),
                snapshot, join(parts), crumbs, file, preview, text, truncated));
    }

    /**
     * A previewable file with its own Content-Type, shown by the browser rather than saved; in a
     * sandbox, so a file that is not what its name says cannot run anything in the panel's origin.
     */
    private void inline(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        Repository repo = repository();
        List<String> parts = parts(ctx.queryParam("path"));
        Node node = resolve(repo, snapshot, parts);
        if (node == null || !node.isFile()) {
            throw new BadRequestResponse(join(parts) + " is not a file.");
        }
        FileKind.Preview preview = FileKind.preview(node.name());
        if (preview == FileKind.Preview.NONE) {
            throw new BadRequestResponse(node.name() + " cannot be shown in the browser; download it instead.");
        }
        ContentReader reader = new ContentReader(repo, node.content());
        long cap = preview == FileKind.Preview.IMAGE ? IMAGE_PREVIEW_BYTES : TEXT_PREVIEW_BYTES;
        long length = reader.size();
        if (length > cap) {
            throw new io.javalin.http.ContentTooLargeResponse(node.name() + " is larger than "
                    + app.threefold.web.page.Format.bytes(cap) + " and is not shown inline; download it instead.");
        }
        ctx.status(200);
        ctx.header("Content-Type", FileKind.contentType(node.name()));
        ctx.header("Content-Disposition", disposition(node.name()).replaceFirst("^attachment", "inline"));
        ctx.header("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "private, max-age=3600");
        ctx.res().setContentLengthLong(length);
        try (InputStream in = reader.stream(0, length); OutputStream out = ctx.res().getOutputStream()) {
            in.transferTo(out);
        }
    }

    private void zip(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        Repository repo = repository();
        List<String> parts = parts(Format.queryValue(ctx.queryString(), "path"));
        Node folder = resolve(repo, snapshot, parts);
        if (folder != null && !folder.isDir()) {
            throw new BadRequestResponse(join(parts) + " is a file; download it directly.");
        }
        String name = folder == null ? snapshot.device() + "-" + snapshot.shortId() : folder.name();
        audit.record(Access.viewer(ctx).name(), "download.zip", Map.of("device", snapshot.device(),
                "snapshot", snapshot.shortId(), "path", join(parts)));
        ctx.status(200);
        ctx.header("Content-Type", "application/zip");
        ctx.header("Content-Disposition", disposition(name + ".zip"));
        try (ZipOutputStream zip = new ZipOutputStream(ctx.res().getOutputStream(), StandardCharsets.UTF_8)) {
            Id tree = folder == null ? Id.parse(snapshot.tree()) : folder.subtree();
            if (tree != null) {
                ZipNames names = new ZipNames();
                addTree(repo, tree, names.child("", name) + "/", zip, names);
            }
        }
    }

    /**
     * The entries selected in a listing as one zip, each at the zip's top under its own name (a
     * folder with everything in it); a form post, as a long selection would not fit in a link.
     */
    private void zipSelected(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        Repository repo = repository();
        List<String> picked = picked(ctx);
        if (picked.isEmpty()) {
            throw new BadRequestResponse("Select the files and folders to download first.");
        }
        List<Node> nodes = new ArrayList<>();
        for (String path : picked) {
            nodes.add(resolve(repo, snapshot, parts(path)));
        }
        String folder = join(parts(Format.fromUrl(ctx.formParam("path"))));
        String name = folder.equals("/") ? snapshot.device() + "-" + snapshot.shortId()
                : parts(folder).getLast();
        audit.record(Access.viewer(ctx).name(), "download.zip", Map.of("device", snapshot.device(),
                "snapshot", snapshot.shortId(), "path", String.join(", ", picked)));
        ctx.status(200);
        ctx.header("Content-Type", "application/zip");
        ctx.header("Content-Disposition", disposition(name + " (selection).zip"));
        try (ZipOutputStream zip = new ZipOutputStream(ctx.res().getOutputStream(), StandardCharsets.UTF_8)) {
            addEntries(repo, new Zipping("", nodes.iterator()), zip, new ZipNames());
        }
    }

    /** A folder being zipped: its entries not yet added. */
    private record Zipping(String prefix, java.util.Iterator<Node> entries) {
    }

    /** Adds a tree depth first. A loop over an explicit stack, not recursion: a tree may be 2,048 folders deep. */
    private void addTree(Repository repo, Id root, String rootPrefix, ZipOutputStream zip, ZipNames names) throws IOException {
        addEntries(repo, openFolder(repo, root, rootPrefix, zip), zip, names);
    }

    /** Adds {@code first}'s entries, and everything inside those that are folders, depth first. */
    private void addEntries(Repository repo, Zipping first, ZipOutputStream zip, ZipNames names) throws IOException {
        java.util.Deque<Zipping> stack = new java.util.ArrayDeque<>();
        stack.push(first);
        while (!stack.isEmpty()) {
            Zipping folder = stack.peek();
            if (!folder.entries().hasNext()) {
                stack.pop();
                continue;
            }
            Node n = folder.entries().next();
            String prefix = folder.prefix();
            if (n.isDir()) {
                String dir = names.child(prefix, n.name()) + "/";
                if (n.subtree() != null) {
                    stack.push(openFolder(repo, n.subtree(), dir, zip));
                } else {
                    zip.putNextEntry(ZipNames.entry(dir));
                    zip.closeEntry();
                }
            } else if (n.isFile()) {
                ZipEntry entry = ZipNames.entry(names.child(prefix, n.name()));
                if (n.mtime() != null) {
                    entry.setLastModifiedTime(java.nio.file.attribute.FileTime.from(n.mtime()));
                }
                zip.putNextEntry(entry);
                try (InputStream in = new ContentReader(repo, n.content()).stream(0, -1)) {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        }
    }

    private Zipping openFolder(Repository repo, Id tree, String prefix, ZipOutputStream zip) throws IOException {
        zip.putNextEntry(ZipNames.entry(prefix));
        zip.closeEntry();
        return new Zipping(prefix, trees.load(repo, tree).iterator());
    }

    /**
     * An attachment header that survives any file name: an ASCII fallback plus the UTF-8 name (a
     * name that is not UTF-8 is offered in its printable form, with {@code \\xff} for such bytes).
     */
    static String disposition(String name) {
        String ascii = name.replaceAll("[^A-Za-z0-9._ -]", "_");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + Format.url(Format.name(name));
    }
}
