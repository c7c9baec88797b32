package app.threefold.web.devicesetup;

import app.threefold.device.Device;
import app.threefold.device.DeviceException;
import app.threefold.device.Devices;
import app.threefold.device.Lateness;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Adding devices and setting them up: {@code GET /devices/new} and {@code POST /devices} (admins),
 * {@code GET /devices/{device}/connect} with host-key fingerprints and copy-paste instructions
 * for OpenSSH, rclone, WinSCP and FileZilla. Changing a device is {@link DeviceEditRoutes}.
 */
public final class DeviceSetupRoutes {

    /** The add-device form. */
    public record NewDevicePage(Layout layout, String error, String name) {
    }

    /** How to connect: the real host, port and user, the host keys, and the device's state. */
    public record ConnectPage(Layout layout, Device device, String host, int port, Map<String, String> hostKeys,
                              Lateness punctuality) {

        public ConnectPage(Layout layout, Device device, String host, int port, Map<String, String> hostKeys) {
            this(layout, device, host, port, hostKeys, null);
        }

        /** The systems "Set up this computer" makes scripts for. */
        public List<ClientOs> systems() {
            return List.of(ClientOs.values());
        }

        public String sftpUrl() {
            return "sftp://" + device.name() + "@" + host + ":" + port + "/";
        }
    }

    private final Devices devices;
    private final Supplier<Map<String, String>> hostKeys;
    private final IntSupplier sftpPort;
    private final Pages pages;

    public DeviceSetupRoutes(Devices devices, Supplier<Map<String, String>> hostKeys, IntSupplier sftpPort,
                             Pages pages) {
        this.devices = devices;
        this.hostKeys = hostKeys;
        this.sftpPort = sftpPort;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/devices/new", ctx -> {
            Access.requireAdmin(ctx);
            pages.render(ctx, "device-new.jte", new NewDevicePage(Access.layout(ctx, "Add a device", "devices"), null, ""));
        });
        routes.post("/devices", this::create);
        routes.get("/devices/{device}/connect", this::connect);
    }

    private Devices devices() {
        if (devices == null) {
            throw new ServiceUnavailableResponse("Devices are not available in this build.");
        }
        return devices;
    }

    private void create(Context ctx) {
        Access.requireAdmin(ctx);
        String name = Optional.ofNullable(ctx.formParam("name")).orElse("").trim();
        String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        String key = Optional.ofNullable(ctx.formParam("publicKey")).orElse("").trim();
        try {
            devices().create(Access.viewer(ctx).name(), name, password.isEmpty() ? null : password.toCharArray(), key.isEmpty() ? null : key);
        } catch (DeviceException e) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
            pages.render(ctx, "device-new.jte", new NewDevicePage(Access.layout(ctx, "Add a device", "devices"),
                    e.getMessage(), name));
            return;
        }
        ctx.redirect("/devices/" + name + "/connect", HttpStatus.SEE_OTHER);
    }

    private Device device(Context ctx) {
        String name = ctx.pathParam("device");
        Access.requireDevice(ctx, name);
        return devices().find(name).orElseThrow(() -> new NotFoundResponse(
                "There is no SFTP account for device " + name + "; add it first."));
    }

    private void connect(Context ctx) {
        Device device = device(ctx);
        String host = Optional.ofNullable(ctx.host()).orElse("nas").replaceFirst(":\\d+$", "");
        pages.render(ctx, "device-connect.jte", new ConnectPage(Access.layout(ctx, "Connect " + device.name(), "devices"),
                device, host, sftpPort.getAsInt(), hostKeys.get(), devices().punctuality(device.name())));
    }
}
