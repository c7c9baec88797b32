package app.threefold.web.devices;

import app.threefold.device.Device;
import app.threefold.device.Devices;
import app.threefold.device.SnapshotSummary;
import app.threefold.web.WebServices;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.ServiceUnavailableResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The devices slice of the API: {@code GET/POST /api/v1/devices},
 * {@code GET /api/v1/devices/{name}/snapshots} and {@code GET /api/v1/ssh} (host key fingerprints
 * for people to compare with what their SFTP client shows on first connection).
 */
public final class DeviceRoutes {
    private final WebServices services;

    public DeviceRoutes(WebServices services) {
        this.services = services;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/api/v1/devices", ctx -> ctx.json(devices().list().stream().map(DeviceRoutes::view).toList()));
        routes.post("/api/v1/devices", this::create);
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
        NewDevice body;
        try {
            body = ctx.bodyAsClass(NewDevice.class);
        } catch (RuntimeException e) {
            throw new BadRequestResponse("Send JSON like {\"name\": \"anna-laptop\", \"password\": \"…\", \"publicKey\": \"ssh-ed25519 …\"}.");
        }
        if (body == null) {
            throw new BadRequestResponse("Send JSON like {\"name\": \"anna-laptop\", \"password\": \"…\"}.");
        }
        Device d = devices().create(body.name(), body.password() == null ? null : body.password().toCharArray(), body.publicKey());
        ctx.status(HttpStatus.CREATED).json(view(d));
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
