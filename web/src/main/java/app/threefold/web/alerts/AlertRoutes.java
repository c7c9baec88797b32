package app.threefold.web.alerts;

import app.threefold.alert.AlertException;
import app.threefold.alert.Channels;
import app.threefold.alert.Incident;
import app.threefold.alert.Incidents;
import app.threefold.web.api.ApiAuthentication;
import app.threefold.web.api.ApiErrors;
import app.threefold.web.api.JsonBodies;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings → Alerts, for admins: where alerts go (e-mail, webhook, ntfy), a "send test" per
 * channel, and the incidents open now and lately. The JSON API does the same under
 * {@code /api/v1/alerts}.
 */
public final class AlertRoutes {

    /** The page's model; {@code notice} is the outcome of the last action, {@code good} whether it went well. */
    public record AlertsPage(Layout layout, List<Channels.View> channels, List<Incident> open, List<Incident> recent,
                             String notice, boolean good, String kind) {
    }

    private static final String POST_SHAPE = "{\"kind\": \"email\", \"name\": \"…\", \"host\": \"smtp.example.org\", \"port\": 587,"
            + " \"security\": \"starttls|tls|none\", \"user\": \"…\", \"password\": \"…\", \"from\": \"…\", \"to\": \"…\"} or"
            + " {\"kind\": \"webhook|ntfy\", \"name\": \"…\", \"url\": \"https://…\", \"token\": \"…\"}";
    private static final List<String> FIELDS = List.of("kind", "name", "host", "port", "security", "user", "password", "from",
            "to", "url", "token");

    private final Channels channels;
    private final Incidents incidents;
    private final Pages pages;

    public AlertRoutes(Channels channels, Incidents incidents, Pages pages) {
        this.channels = channels;
        this.incidents = incidents;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/settings/alerts", ctx -> {
            Access.requireAdmin(ctx);
            show(ctx, null, true, "email");
        });
        routes.post("/settings/alerts/channels", this::add);
        routes.post("/settings/alerts/channels/{id}/test", ctx -> {
            Access.requireAdmin(ctx);
            long id = id(ctx);
            try {
                channels.sendTest(id, Access.viewer(ctx).name());
                show(ctx, "Test message sent through '" + channels.get(id).name() + "': check that it arrived.", true, "email");
            } catch (AlertException e) {
                ctx.status(ApiErrors.statusOf(e.kind()));
                show(ctx, e.getMessage(), false, "email");
            }
        });
        routes.post("/settings/alerts/channels/{id}/remove", ctx -> {
            Access.requireAdmin(ctx);
            channels.remove(id(ctx), Access.viewer(ctx).name());
            ctx.redirect("/settings/alerts", HttpStatus.SEE_OTHER);
        });
        routes.get("/api/v1/alerts", ctx -> ctx.json(Map.of(
                "channels", channels.list().stream().map(AlertRoutes::view).toList(),
                "open", incidents.open().stream().map(AlertRoutes::view).toList(),
                "recent", incidents.recent(50).stream().map(AlertRoutes::view).toList())));
        routes.post("/api/v1/alerts/channels", ctx -> {
            JsonNode body = JsonBodies.object(ctx, FIELDS, POST_SHAPE);
            Map<String, String> fields = new LinkedHashMap<>();
            body.properties().forEach(e -> fields.put(e.getKey(), e.getValue().asText()));
            Channels.View added = add(fields, ApiAuthentication.admin(ctx).name());
            ctx.status(HttpStatus.CREATED).json(view(added));
        });
        routes.post("/api/v1/alerts/channels/{id}/test", ctx -> {
            channels.sendTest(id(ctx), ApiAuthentication.admin(ctx).name());
            ctx.json(Map.of("sent", true));
        });
        routes.delete("/api/v1/alerts/channels/{id}", ctx -> {
            channels.remove(id(ctx), ApiAuthentication.admin(ctx).name());
            ctx.status(HttpStatus.NO_CONTENT);
        });
    }

    private void add(Context ctx) {
        Access.requireAdmin(ctx);
        Map<String, String> fields = new LinkedHashMap<>();
        FIELDS.forEach(f -> Optional.ofNullable(ctx.formParam(f)).ifPresent(v -> fields.put(f, v)));
        try {
            Channels.View added = add(fields, Access.viewer(ctx).name());
            show(ctx, "Added '" + added.name() + "'. Send a test to see that it works.", true, added.kind());
        } catch (AlertException | BadRequestResponse e) {
            ctx.status(e instanceof AlertException a ? ApiErrors.statusOf(a.kind()) : 400);
            show(ctx, e.getMessage(), false, fields.getOrDefault("kind", "email"));
        }
    }

    private Channels.View add(Map<String, String> f, String actor) {
        String kind = f.getOrDefault("kind", "");
        String name = f.getOrDefault("name", "");
        return switch (kind) {
            case "email" -> {
                int port;
                try {
                    port = Integer.parseInt(f.getOrDefault("port", "587").strip());
                } catch (NumberFormatException e) {
                    throw new BadRequestResponse("The SMTP port is a number: 587 for STARTTLS, 465 for TLS.");
                }
                yield channels.addEmail(name, f.get("host"), port, f.getOrDefault("security", "starttls"),
                        f.getOrDefault("user", ""), f.getOrDefault("password", ""), f.get("from"), f.get("to"), actor);
            }
            case "webhook" -> channels.addWebhook(name, f.get("url"), f.getOrDefault("token", ""), actor);
            case "ntfy" -> channels.addNtfy(name, f.get("url"), f.getOrDefault("token", ""), actor);
            default -> throw new BadRequestResponse("kind is email, webhook or ntfy, not '" + kind + "'. " + POST_SHAPE);
        };
    }

    private void show(Context ctx, String notice, boolean good, String kind) {
        int status = ctx.statusCode();
        pages.render(ctx, "alerts.jte", new AlertsPage(Access.layout(ctx, "Alerts", "settings"), channels.list(),
                incidents.open(), incidents.recent(20), notice, good, kind));
        ctx.status(status);
    }

    private static long id(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new BadRequestResponse("A channel's id is a number, not '" + ctx.pathParam("id") + "'.");
        }
    }

    private static Map<String, Object> view(Channels.View c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("kind", c.kind());
        m.put("name", c.name());
        m.put("settings", c.settings());
        m.put("secretSet", c.hasSecret());
        m.put("enabled", c.enabled());
        return m;
    }

    private static Map<String, Object> view(Incident i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("condition", i.condition());
        m.put("subject", i.subject());
        m.put("summary", i.summary());
        m.put("opened", i.opened().toString());
        m.put("cleared", i.cleared() == null ? null : i.cleared().toString());
        return m;
    }
}
