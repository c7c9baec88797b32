package app.threefold.web.settings;

import app.threefold.restore.InvalidRestoreFolderException;
import app.threefold.restore.RestoreFolders;
import app.threefold.web.api.ApiAuthentication;
import app.threefold.web.api.JsonBodies;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The appliance's settings, for admins: the panel page {@code /settings} and the JSON API
 * {@code GET/PUT /api/v1/settings/restore-folders}. Today it holds the restore folders: the NAS
 * shares restores may write into.
 */
public final class SettingsRoutes {

    /** The settings page's model; {@code folders} is the text of the form (one folder a line). */
    public record SettingsPage(Layout layout, String folders, List<String> fromSources, String error, boolean saved) {
    }

    /** The JSON body of {@code PUT /api/v1/settings/restore-folders}. */
    record RestoreFoldersBody(List<String> folders) {
    }

    private static final String SHAPE = "{\"folders\": [\"/srv/family\", \"/srv/photos\"]}";

    private final RestoreFolders folders;
    private final Pages pages;

    public SettingsRoutes(RestoreFolders folders, Pages pages) {
        this.folders = folders;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/settings", ctx -> {
            Access.requireAdmin(ctx);
            show(ctx, lines(folders.declared()), null, "saved".equals(ctx.queryParam("done")));
        });
        routes.post("/settings/restore-folders", this::save);
        routes.get("/api/v1/settings/restore-folders", ctx -> ctx.json(view()));
        routes.put("/api/v1/settings/restore-folders", ctx -> {
            RestoreFoldersBody body = JsonBodies.read(ctx, RestoreFoldersBody.class, SHAPE);
            if (body.folders() == null) {
                throw new io.javalin.http.BadRequestResponse("Name the folders: " + SHAPE + " ([] declares none).");
            }
            folders.replace(body.folders(), ApiAuthentication.admin(ctx).name());
            ctx.json(view());
        });
    }

    private void save(Context ctx) {
        Access.requireAdmin(ctx);
        String text = ctx.formParam("folders") == null ? "" : ctx.formParam("folders");
        try {
            folders.replace(Arrays.stream(text.split("\\R")).map(String::strip).toList(), Access.viewer(ctx).name());
        } catch (InvalidRestoreFolderException e) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
            show(ctx, text, e.getMessage(), false);
            return;
        }
        ctx.redirect("/settings?done=saved", HttpStatus.SEE_OTHER);
    }

    private void show(Context ctx, String text, String error, boolean saved) {
        int status = ctx.statusCode();
        pages.render(ctx, "settings.jte", new SettingsPage(Access.layout(ctx, "Settings", "settings"), text,
                folders.fromSources().stream().map(Path::toString).toList(), error, saved));
        ctx.status(status);
    }

    private Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("folders", strings(folders.declared()));
        m.put("fromSources", strings(folders.fromSources()));
        m.put("effective", strings(folders.all()));
        return m;
    }

    private static List<String> strings(List<Path> paths) {
        return paths.stream().map(Path::toString).toList();
    }

    private static String lines(List<Path> paths) {
        return paths.stream().map(Path::toString).collect(Collectors.joining("\n"));
    }
}
