package app.threefold.web.snapshots;

import app.threefold.ThreefoldException;
import app.threefold.audit.AuditLog;
import app.threefold.browse.FileContent;
import app.threefold.browse.SnapshotFiles;
import app.threefold.browse.SnapshotPath;
import app.threefold.browse.SnapshotRoot;
import app.threefold.engine.Engine;
import app.threefold.jobs.Job;
import app.threefold.jobs.Restores;
import app.threefold.restore.RestoreFolders;
import app.threefold.restore.RestoreTargetException;
import app.threefold.snapshot.SnapshotId;
import app.threefold.web.restoretests.JobView;
import app.threefold.engine.EngineHolder;
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
 * a file with HTTP range requests, and a folder as a zip streamed while it is read. What is in a
 * snapshot comes from {@link SnapshotFiles}; this class turns it into pages and responses.
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

        static Entry of(app.threefold.browse.Entry e) {
            return new Entry(e.name(), e.type(), e.size(), e.mtime(), e.path());
        }

        public boolean dir() {
            return app.threefold.browse.Entry.FOLDER.equals(type);
        }

        public boolean file() {
            return app.threefold.browse.Entry.FILE.equals(type);
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
    private final EngineHolder engine;
    private final Restores restores;
    private final AuditLog audit;
    private final Pages pages;

    public BrowseRoutes(SnapshotCatalog catalog, EngineHolder engine, Restores restores, AuditLog audit, Pages pages) {
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
    private static List<SnapshotPath> picked(Context ctx) {
        List<SnapshotPath> paths = new ArrayList<>();
        for (String value : ctx.formParams("pick")) {
            SnapshotPath path = SnapshotPath.parse(Format.fromUrl(value));
            if (path.isRoot()) {
                throw new BadRequestResponse("Select files or folders inside the snapshot, not the snapshot itself.");
            }
            paths.add(path);
        }
        return paths;
    }

    /** Restores the folder or file at {@code path} into {@code target} on the NAS (admins only: it writes to the NAS). */
    private void restore(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        Access.requireAdmin(ctx);
        String path = SnapshotPath.parse(Format.fromUrl(ctx.formParam("path"))).toString();
        List<String> picked = picked(ctx).stream().map(SnapshotPath::toString).toList();
        SnapshotRoot root = SnapshotRoot.of(snapshot.tree());
        try {
            Job job = picked.isEmpty()
                    ? restores.start(snapshot.device(), root, path, ctx.formParam("target"), Access.viewer(ctx).name())
                    : restores.startSelected(snapshot.device(), root, picked, ctx.formParam("target"),
                            Access.viewer(ctx).name());
            pages.render(ctx, "job-live.jte", new JobView(job));
        } catch (ThreefoldException e) {
            // A refused target, or no repository yet: shown where the progress bar would be (the
            // slot swaps refusals in, see app.js).
            pages.render(ctx, "notice.jte", e.getMessage());
            ctx.status(app.threefold.web.api.ApiErrors.statusOf(e.kind()));
        }
    }

    private Summary snapshot(Context ctx) {
        String device = ctx.pathParam("device");
        Access.requireDevice(ctx, device);
        return catalog.find(device, SnapshotId.parse(ctx.pathParam("snapshot"))).orElseThrow(() -> new NotFoundResponse(
                "Device " + device + " has no snapshot " + ctx.pathParam("snapshot") + "."));
    }

    private SnapshotFiles files() {
        return engine.get().map(Engine::files).orElseThrow(() -> new ServiceUnavailableResponse(
                "The appliance has no repository yet; finish the setup wizard."));
    }

    /** The entry at {@code path}; 404 if the snapshot has none. */
    private static app.threefold.browse.Entry find(SnapshotFiles files, Summary snapshot, SnapshotPath path)
            throws IOException {
        return files.find(SnapshotRoot.of(snapshot.tree()), path)
                .orElseThrow(() -> new NotFoundResponse(path + " is not in this snapshot."));
    }

    /** The crumbs from the snapshot down to the folder holding the first {@code depth} names of {@code path}. */
    private static List<Crumb> crumbs(Summary snapshot, SnapshotPath path, int depth) {
        List<Crumb> crumbs = new ArrayList<>();
        crumbs.add(new Crumb("snapshot " + snapshot.shortId() + " of " + Format.time(snapshot.time()), "/"));
        for (int i = 0; i < depth; i++) {
            crumbs.add(new Crumb(path.names().get(i), path.prefix(i + 1).toString()));
        }
        return crumbs;
    }

    /** One page of a folder's entries, with the folder's total size in {@code total}. */
    public BrowsePage folder(Layout layout, Summary snapshot, String path, int page) throws IOException {
        SnapshotFiles files = files();
        SnapshotPath at = SnapshotPath.parse(path);
        if (!find(files, snapshot, at).folder()) {
            throw new BadRequestResponse(at + " is a file, not a folder.");
        }
        SnapshotRoot root = SnapshotRoot.of(snapshot.tree());
        SnapshotFiles.FolderPage listing = files.list(root, at, (Math.max(1, page) - 1) * PAGE_SIZE, PAGE_SIZE);
        int pageCount = Math.max(1, (listing.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        int current = Math.max(1, Math.min(page, pageCount));
        if (current != Math.max(1, page)) {
            // Asked past the end: show the last page instead.
            listing = files.list(root, at, (current - 1) * PAGE_SIZE, PAGE_SIZE);
        }
        List<Entry> entries = listing.entries().stream().map(Entry::of).toList();
        return new BrowsePage(layout, snapshot.device(), snapshot, at.toString(), crumbs(snapshot, at, at.names().size()),
                entries, current, pageCount, listing.total());
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
        SnapshotFiles files = files();
        SnapshotPath path = SnapshotPath.parse(Format.queryValue(ctx.queryString(), "path"));
        app.threefold.browse.Entry file = find(files, snapshot, path);
        if (!file.file()) {
            throw new BadRequestResponse(path + " is not a file; download folders as zip.");
        }
        FileContent content = files.open(SnapshotRoot.of(snapshot.tree()), path);
        long size = content.size();
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
                    "snapshot", snapshot.shortId(), "path", path.toString()));
        }
        String type = URLConnection.guessContentTypeFromName(file.name());
        ctx.status(status);
        ctx.header("Accept-Ranges", "bytes");
        ctx.header("Content-Type", type == null ? "application/octet-stream" : type);
        ctx.header("Content-Disposition", disposition(file.name()));
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.res().setContentLengthLong(Math.max(0, end - start + 1));
        try (InputStream in = content.stream(start, end - start + 1); OutputStream out = ctx.res().getOutputStream()) {
            in.transferTo(out);
        }
    }

    /** A page showing an image or the start of a text file, with its download link. */
    private void preview(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        SnapshotFiles files = files();
        SnapshotPath path = SnapshotPath.parse(ctx.queryParam("path"));
        app.threefold.browse.Entry file = find(files, snapshot, path);
        if (!file.file()) {
            throw new BadRequestResponse(path + " is not a file; folders are browsed, not previewed.");
        }
        FileKind.Preview preview = FileKind.preview(file.name());
        String text = null;
        boolean truncated = false;
        if (preview == FileKind.Preview.TEXT) {
            FileContent content = files.open(SnapshotRoot.of(snapshot.tree()), path);
            long shown = Math.min(content.size(), TEXT_PREVIEW_BYTES);
            try (InputStream in = content.stream(0, shown)) {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)
                        .decode(java.nio.ByteBuffer.wrap(in.readAllBytes())).toString();
            }
            truncated = shown < content.size();
        } else if (preview == FileKind.Preview.IMAGE && file.size() > IMAGE_PREVIEW_BYTES) {
            preview = FileKind.Preview.NONE;
        }
        audit.record(Access.viewer(ctx).name(), "download.preview", Map.of("device", snapshot.device(),
                "snapshot", snapshot.shortId(), "path", path.toString()));
        pages.render(ctx, "preview.jte", new PreviewPage(Access.layout(ctx, file.name(), "devices"), snapshot.device(),
                snapshot, path.toString(), crumbs(snapshot, path, path.names().size() - 1), Entry.of(file), preview,
                text, truncated));
    }

    /**
     * A previewable file with its own Content-Type, shown by the browser rather than saved; in a
     * sandbox, so a file that is not what its name says cannot run anything in the panel's origin.
     */
    private void inline(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        SnapshotFiles files = files();
        SnapshotPath path = SnapshotPath.parse(ctx.queryParam("path"));
        app.threefold.browse.Entry file = find(files, snapshot, path);
        if (!file.file()) {
            throw new BadRequestResponse(path + " is not a file.");
        }
        FileKind.Preview preview = FileKind.preview(file.name());
        if (preview == FileKind.Preview.NONE) {
            throw new BadRequestResponse(file.name() + " cannot be shown in the browser; download it instead.");
        }
        FileContent content = files.open(SnapshotRoot.of(snapshot.tree()), path);
        long cap = preview == FileKind.Preview.IMAGE ? IMAGE_PREVIEW_BYTES : TEXT_PREVIEW_BYTES;
        long length = content.size();
        if (length > cap) {
            throw new io.javalin.http.ContentTooLargeResponse(file.name() + " is larger than "
                    + Format.bytes(cap) + " and is not shown inline; download it instead.");
        }
        ctx.status(200);
        ctx.header("Content-Type", FileKind.contentType(file.name()));
        ctx.header("Content-Disposition", disposition(file.name()).replaceFirst("^attachment", "inline"));
        ctx.header("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "private, max-age=3600");
        ctx.res().setContentLengthLong(length);
        try (InputStream in = content.stream(0, length); OutputStream out = ctx.res().getOutputStream()) {
            in.transferTo(out);
        }
    }

    private void zip(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        SnapshotFiles files = files();
        SnapshotPath path = SnapshotPath.parse(Format.queryValue(ctx.queryString(), "path"));
        if (!find(files, snapshot, path).folder()) {
            throw new BadRequestResponse(path + " is a file; download it directly.");
        }
        String name = path.isRoot() ? snapshot.device() + "-" + snapshot.shortId() : path.name();
        audit.record(Access.viewer(ctx).name(), "download.zip", Map.of("device", snapshot.device(),
                "snapshot", snapshot.shortId(), "path", path.toString()));
        ctx.status(200);
        ctx.header("Content-Type", "application/zip");
        ctx.header("Content-Disposition", disposition(name + ".zip"));
        try (ZipOutputStream zip = new ZipOutputStream(ctx.res().getOutputStream(), StandardCharsets.UTF_8)) {
            ZipNames names = new ZipNames();
            // The folder itself is the zip's one top entry, named as the download is.
            files.walk(SnapshotRoot.of(snapshot.tree()), List.of(path), "", (prefix, e, content) ->
                    add(zip, names, prefix, e.path().equals(path.toString()) ? name : e.name(), e, content));
        }
    }

    /**
     * The entries selected in a listing as one zip, each at the zip's top under its own name (a
     * folder with everything in it); a form post, as a long selection would not fit in a link.
     */
    private void zipSelected(Context ctx) throws IOException {
        Summary snapshot = snapshot(ctx);
        SnapshotFiles files = files();
        List<SnapshotPath> picked = picked(ctx);
        if (picked.isEmpty()) {
            throw new BadRequestResponse("Select the files and folders to download first.");
        }
        for (SnapshotPath path : picked) {
            // Before the first byte: a missing entry is a 404 page, not a broken zip.
            find(files, snapshot, path);
        }
        SnapshotPath folder = SnapshotPath.parse(Format.fromUrl(ctx.formParam("path")));
        String name = folder.isRoot() ? snapshot.device() + "-" + snapshot.shortId() : folder.name();
        audit.record(Access.viewer(ctx).name(), "download.zip", Map.of("device", snapshot.device(),
                "snapshot", snapshot.shortId(), "path", String.join(", ", picked.stream().map(SnapshotPath::toString).toList())));
        ctx.status(200);
        ctx.header("Content-Type", "application/zip");
        ctx.header("Content-Disposition", disposition(name + " (selection).zip"));
        try (ZipOutputStream zip = new ZipOutputStream(ctx.res().getOutputStream(), StandardCharsets.UTF_8)) {
            ZipNames names = new ZipNames();
            files.walk(SnapshotRoot.of(snapshot.tree()), picked, "", (prefix, e, content) ->
                    add(zip, names, prefix, e.name(), e, content));
        }
    }

    /**
     * Adds one entry of a walk to a zip under {@code name} inside the folder entry {@code prefix};
     * returns the prefix of what a folder holds. Entries other than files and folders are left out.
     */
    private static String add(ZipOutputStream zip, ZipNames names, String prefix, String name,
                              app.threefold.browse.Entry e, FileContent content) throws IOException {
        if (e.folder()) {
            String dir = names.child(prefix, name) + "/";
            zip.putNextEntry(ZipNames.entry(dir));
            zip.closeEntry();
            return dir;
        }
        if (e.file()) {
            ZipEntry entry = ZipNames.entry(names.child(prefix, name));
            if (e.mtime() != null) {
                entry.setLastModifiedTime(java.nio.file.attribute.FileTime.from(e.mtime()));
            }
            zip.putNextEntry(entry);
            try (InputStream in = content.stream(0, -1)) {
                in.transferTo(zip);
            }
            zip.closeEntry();
        }
        return prefix;
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
