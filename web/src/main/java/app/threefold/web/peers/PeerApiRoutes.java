package app.threefold.web.peers;

import app.threefold.peer.Guest;
import app.threefold.peer.Guests;
import app.threefold.peer.Invite;
import app.threefold.peer.Pairing;
import app.threefold.peer.SeedImport;
import app.threefold.web.PeerServices;
import app.threefold.web.api.ApiAuthentication;
import app.threefold.web.api.JsonBodies;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pairing slice of the API (docs/peers.md), in the style of {@code /api/v1/targets}:
 * {@code GET /api/v1/peers} (guests, pairings, open invites, settings); on the host, {@code POST
 * /api/v1/peers/invites} → the code, once, and {@code DELETE /api/v1/peers/invites/{id}} withdraws
 * it; {@code GET/PATCH/DELETE /api/v1/peers/guests/{user}} (quota; unpair), {@code POST …/guests/{user}/cancel-deletion} and {@code POST
 * …/guests/{user}/seed}; on the guest, {@code POST /api/v1/peers/pairings} with a friend's code and
 * {@code DELETE /api/v1/peers/pairings/{id}}; {@code PUT /api/v1/peers/settings} (grace days).
 */
public final class PeerApiRoutes {
    private static final String INVITE_SHAPE = "Send {\"name\": \"Sam's NAS\", \"host\": \"nas.example.net\", \"port\": 2222,"
            + " \"quota\": 500000000000}; optional \"validDays\" (default 7).";
    private static final String PAIR_SHAPE = "Send {\"code\": \"TF1-…\", \"name\": \"Alex's NAS\"} (name: how your friend's"
            + " appliance will list this one).";

    private final PeerServices peers;

    public PeerApiRoutes(PeerServices peers) {
        this.peers = peers;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/api/v1/peers", ctx -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("guests", peers.guests().list().stream().map(PeerApiRoutes::view).toList());
            m.put("pairings", peers.pairings().list().stream().map(PeerApiRoutes::view).toList());
            m.put("invites", peers.guests().openInvites().stream().map(PeerApiRoutes::view).toList());
            m.put("graceDays", peers.guests().graceDays());
            m.put("warnDays", peers.guests().warnDays());
            ctx.json(m);
        });
        routes.post("/api/v1/peers/invites", this::invite);
        routes.delete("/api/v1/peers/invites/{id}", ctx -> {
            peers.guests().withdrawInvite(id(ctx, "An invite"), ApiAuthentication.admin(ctx).name());
            ctx.status(HttpStatus.NO_CONTENT);
        });
        routes.post("/api/v1/peers/pairings", this::pair);
        routes.delete("/api/v1/peers/pairings/{id}", ctx -> {
            peers.pairings().unpair(id(ctx, "A pairing"), ApiAuthentication.admin(ctx).name());
            ctx.status(HttpStatus.NO_CONTENT);
        });
        routes.get("/api/v1/peers/guests/{user}", ctx -> ctx.json(view(peers.guests().guest(ctx.pathParam("user")))));
        routes.patch("/api/v1/peers/guests/{user}", ctx -> {
            JsonNode body = JsonBodies.object(ctx, List.of("quota"), "Send {\"quota\": BYTES}.");
            ctx.json(view(peers.guests().changeQuota(ctx.pathParam("user"), positive(body, "quota"),
                    ApiAuthentication.admin(ctx).name())));
        });
        routes.delete("/api/v1/peers/guests/{user}", ctx -> {
            peers.guests().unpair(ctx.pathParam("user"), ApiAuthentication.admin(ctx).name());
            ctx.status(HttpStatus.NO_CONTENT);
        });
        routes.post("/api/v1/peers/guests/{user}/cancel-deletion", ctx -> {
            JsonNode body = JsonBodies.object(ctx, List.of("path"), "Send {\"path\": \"data/ab/ab12…\"}.");
            peers.guests().cancelDeletion(ctx.pathParam("user"), text(body, "path"), ApiAuthentication.admin(ctx).name());
            ctx.status(HttpStatus.NO_CONTENT);
        });
        routes.post("/api/v1/peers/guests/{user}/seed", ctx -> {
            JsonNode body = JsonBodies.object(ctx, List.of("path"), "Send {\"path\": \"/media/usb/threefold\"}.");
            SeedImport done = peers.guests().importSeed(ctx.pathParam("user"), Path.of(text(body, "path")),
                    ApiAuthentication.admin(ctx).name());
            ctx.json(Map.of("copied", done.copied(), "alreadyThere", done.alreadyThere(), "bytes", done.bytes()));
        });
        routes.put("/api/v1/peers/settings", ctx -> {
            JsonNode body = JsonBodies.object(ctx, List.of("graceDays"), "Send {\"graceDays\": 30}.");
            peers.guests().setGraceDays((int) positive(body, "graceDays"), ApiAuthentication.admin(ctx).name());
            ctx.json(Map.of("graceDays", peers.guests().graceDays()));
        });
    }

    private void invite(Context ctx) {
        JsonNode body = JsonBodies.object(ctx, List.of("name", "host", "port", "quota", "validDays"), INVITE_SHAPE);
        int port = body.has("port") ? (int) positive(body, "port") : peers.sftpPort().getAsInt();
        long days = body.has("validDays") ? positive(body, "validDays") : Guests.INVITE_VALIDITY.toDays();
        Invite invite = peers.guests().invite(text(body, "name"), text(body, "host"), port, positive(body, "quota"),
                Duration.ofDays(days), ApiAuthentication.admin(ctx).name());
        ctx.status(HttpStatus.CREATED).json(Map.of("code", invite.code(), "expires", invite.expires().toString()));
    }

    private void pair(Context ctx) {
        JsonNode body = JsonBodies.object(ctx, List.of("code", "name"), PAIR_SHAPE);
        Pairing p = peers.pairings().accept(text(body, "code"), body.has("name") ? text(body, "name") : null,
                ApiAuthentication.admin(ctx).name());
        ctx.status(HttpStatus.CREATED).header("Location", "/api/v1/peers/pairings/" + p.id()).json(view(p));
    }

    private static long id(Context ctx, String what) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new BadRequestResponse(what + "'s id is a number; see GET /api/v1/peers.");
        }
    }

    static Map<String, Object> view(Invite.Open i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("created", i.created().toString());
        m.put("expires", i.expires().toString());
        m.put("host", i.host());
        m.put("port", i.port());
        m.put("quota", i.quota());
        return m;
    }

    static Map<String, Object> view(Guest g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", g.user());
        m.put("name", g.name());
        m.put("quota", g.quota());
        m.put("usage", g.usage());
        m.put("created", g.created().toString());
        m.put("lastContact", g.lastContact() == null ? null : g.lastContact().toString());
        m.put("paired", g.paired());
        m.put("keyFingerprint", g.keyFingerprint());
        m.put("hostKey", g.hostKey());
        m.put("pendingDeletions", g.pendingDeletions().stream().map(d -> Map.of("path", d.path(),
                "requested", d.requested().toString(), "due", d.due().toString())).toList());
        return m;
    }

    static Map<String, Object> view(Pairing p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("host", p.host());
        m.put("port", p.port());
        m.put("hostKey", p.hostKey());
        m.put("user", p.user());
        m.put("quota", p.quota());
        m.put("graceDays", p.graceDays());
        m.put("copy", p.targetId());
        m.put("created", p.created().toString());
        return m;
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new BadRequestResponse(field + " is required and is text.");
        }
        return n.asText();
    }

    private static long positive(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || !n.canConvertToLong() || n.asLong() <= 0) {
            throw new BadRequestResponse(field + " is required and is a positive whole number.");
        }
        return n.asLong();
    }
}
