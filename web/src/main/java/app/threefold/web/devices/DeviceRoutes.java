package app.threefold.web.devices;

import app.threefold.device.Device;
import app.threefold.device.DeviceChange;
import app.threefold.device.Devices;
import app.threefold.device.SnapshotSummary;
import app.threefold.web.WebServices;
import app.threefold.web.api.ApiAuthentication;
import app.threefold.web.api.JsonBodies;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.ServiceUnavailableResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The devices slice of the API: {@code GET/POST /api/v1/devices}, {@code PATCH/DELETE
 * /api/v1/devices/{name}}, {@code GET /api/v1/devices/{name}/snapshots} and {@code GET /api/v1/ssh}
 * (host key fingerprints for people to compare with what their SFTP client shows on first
 * connection).
 */
public final class DeviceRoutes {
    private final WebServices services;

    public DeviceRoutes(WebServices services) {
        this.services = services;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/api/v1/devices", ctx -> ctx.json(devices().list().stream().map(DeviceRoutes::view).toList()));
        routes.post("/api/v1/devices", this::create);
        routes.patch("/api/v1/devices/{name}", this::change);
        routes.delete("/api/v1/devices/{name}", ctx -> {
            devices().delete(ctx.pathParam("name"), ApiAuthentication.admin(ctx).name());
            ctx.status(HttpStatus.NO_CONTENT);
        });
        routes.get("/api/v1/devices/{name}/snapshots", ctx -> ctx.json(snapshots(ctx.pathParam("name"))));
        routes.get("/api/v1/ssh", ctx -> ctx.json(Map.of("hostKeys", services.sshHostKeys().get())));
    }

    private Devices devices() {
        if (services.devices() == null) {
            throw new ServiceUnavailableResponse("Devices are not available on this appliance yet.");
        }
        return services.devices();
    }

    /** The JSON body of a new device. */
    record NewDevice(String name, String password, String publicKey) {
    }

    private void create(Context ctx) {
        NewDevice body = JsonBodies.read(ctx, NewDevice.class,
                "{\"name\": \"anna-laptop\", \"password\": \"…\", \"publicKey\": \"ssh-ed25519 …\"}");
        Device d = devices().create(ApiAuthentication.admin(ctx).name(), body.name(), body.password() == null ? null : body.password().toCharArray(), body.publicKey());
        ctx.status(HttpStatus.CREATED).json(view(d));
    }

    private static final List<String> PATCH_FIELDS = List.of("password", "publicKeys", "quotaBytes", "enabled");
    private static final String PATCH_SHAPE = "Send a JSON object with any of password (a string; \"\" or null clears it),"
            + " publicKeys (a list of OpenSSH key lines; it replaces the device's keys), quotaBytes (0 for none) and enabled.";

    /** {@code PATCH}: only the fields present change; a present {@code "password": null} clears it. */
    private void change(Context ctx) {
        JsonNode body = JsonBodies.object(ctx, PATCH_FIELDS, PATCH_SHAPE);
        char[] password = null;
        if (body.has("password")) {
            JsonNode p = body.get("password");
            if (!p.isNull() && !p.isTextual()) {
                throw new BadRequestResponse("password must be a string or null. " + PATCH_SHAPE);
            }
            password = p.isNull() ? new char[0] : p.asText().toCharArray();
        }
        List<String> keys = null;
        if (body.has("publicKeys")) {
            JsonNode k = body.get("publicKeys");
            if (!k.isArray()) {
                throw new BadRequestResponse("publicKeys must be a list of key lines. " + PATCH_SHAPE);
            }
            keys = new ArrayList<>();
            for (JsonNode line : k) {
                keys.add(line.asText());
            }
        }
        Long quota = null;
        if (body.has("quotaBytes")) {
            if (!body.get("quotaBytes").canConvertToLong()) {
                throw new BadRequestResponse("quotaBytes must be a whole number of bytes. " + PATCH_SHAPE);
            }
            quota = body.get("quotaBytes").asLong();
        }
        Boolean enabled = null;
        if (body.has("enabled")) {
            if (!body.get("enabled").isBoolean()) {
                throw new BadRequestResponse("enabled must be true or false. " + PATCH_SHAPE);
            }
            enabled = body.get("enabled").asBoolean();
        }
        String name = ctx.pathParam("name");
        Device d = devices().change(name, new DeviceChange(password, keys, quota, enabled));
        services.panel().audit().record(ApiAuthentication.admin(ctx).name(), "device.changed", Map.of("device", name,
                "fields", body.properties().stream().map(Map.Entry::getKey).toList()));
        ctx.json(view(d));
    }

    private static Map<String, Object> view(Device d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("enabled", d.enabled());
        m.put("password", d.hasPassword());
        m.put("keys", d.keyFingerprints());
        m.put("quotaBytes", d.quotaBytes());
        m.put("bytesAdded", d.bytesAdded());
        m.put("created", d.created().toString());
        return m;
    }

    private List<Map<String, Object>> snapshots(String name) {
        return devices().snapshots(name).stream().map(DeviceRoutes::view).toList();
    }

    private static Map<String, Object> view(SnapshotSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("time", s.time().toString());
        m.put("files", s.files());
        m.put("bytes", s.bytes());
        m.put("bytesAdded", s.bytesAdded());
        m.put("filesRemoved", s.filesRemoved());
        m.put("parent", s.parent());
        m.put("recovered", s.recovered());
        return m;
    }
}
