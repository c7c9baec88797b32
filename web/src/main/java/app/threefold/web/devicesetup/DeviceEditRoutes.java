package app.threefold.web.devicesetup;

import app.threefold.audit.AuditLog;
import app.threefold.device.Device;
import app.threefold.device.DeviceChange;
import app.threefold.device.DeviceException;
import app.threefold.device.Devices;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import app.threefold.web.snapshots.SnapshotCatalog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * Changing and deleting a device (admins only): {@code GET /devices/{device}/edit} with forms for
 * the password, the keys, the quota and enabling; {@code GET/POST /devices/{device}/delete}, which
 * spells out that snapshots stay and wants the device's name typed.
 */
public final class DeviceEditRoutes {

    /** The edit page. */
    public record EditPage(Layout layout, Device device, String error) {

        /** The quota in GB as the form shows it; empty for none. */
        public String quotaGb() {
            return device.quotaBytes() <= 0 ? ""
                    : BigDecimal.valueOf(device.quotaBytes()).movePointLeft(9).stripTrailingZeros().toPlainString();
        }

        /** Whether removing one key would leave the device without a way to log in. */
        public boolean lastKey() {
            return !device.hasPassword() && device.keyFingerprints().size() == 1;
        }
    }

    /** The delete confirmation: what stays, in numbers. */
    public record DeletePage(Layout layout, Device device, SnapshotCatalog.Totals totals, String error) {
    }

    private final Devices devices;
    private final SnapshotCatalog catalog;
    private final AuditLog audit;
    private final Pages pages;

    public DeviceEditRoutes(Devices devices, SnapshotCatalog catalog, AuditLog audit, Pages pages) {
        this.devices = devices;
        this.catalog = catalog;
        this.audit = audit;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/devices/{device}/edit", ctx -> edit(ctx, device(ctx), null));
        routes.post("/devices/{device}/enabled", this::enabled);
        routes.post("/devices/{device}/password", this::password);
        routes.post("/devices/{device}/keys", this::addKey);
        routes.post("/devices/{device}/keys/remove", this::removeKey);
        routes.post("/devices/{device}/quota", this::quota);
        routes.get("/devices/{device}/delete", ctx -> confirm(ctx, device(ctx), null));
        routes.post("/devices/{device}/delete", this::delete);
    }

    /** The device of the path, for an admin; 404 if it has no account (never added, or deleted). */
    private Device device(Context ctx) {
        Access.requireAdmin(ctx);
        if (devices == null) {
            throw new ServiceUnavailableResponse("Devices are not available in this build.");
        }
        String name = ctx.pathParam("device");
        return devices.find(name).orElseThrow(() -> new NotFoundResponse(
                "There is no SFTP account for device " + name + "; it was never added or it was deleted."));
    }

    private void edit(Context ctx, Device device, String error) {
        if (error != null) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
        }
        pages.render(ctx, "device-edit.jte", new EditPage(Access.layout(ctx, "Edit " + device.name(), "devices"), device, error));
    }

    /** Applies a change and goes back to the edit page, or shows the page again with why it was refused. */
    private void apply(Context ctx, Device device, DeviceChange change, String action) {
        try {
            devices.change(device.name(), change);
        } catch (DeviceException e) {
            edit(ctx, device, e.getMessage());
            return;
        }
        audit.record(Access.viewer(ctx).name(), action, Map.of("device", device.name()));
        ctx.redirect("/devices/" + device.name() + "/edit", HttpStatus.SEE_OTHER);
    }

    private void password(Context ctx) {
        Device device = device(ctx);
        boolean clear = "true".equals(ctx.formParam("clear"));
        String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        if (!clear && password.isEmpty()) {
            edit(ctx, device, "Type the new password, or use \"Remove the password\" to log in with keys only.");
            return;
        }
        apply(ctx, device, new DeviceChange(clear ? new char[0] : password.toCharArray(), null, null, null),
                clear ? "device.password-cleared" : "device.password-set");
    }

    private void enabled(Context ctx) {
        Device device = device(ctx);
        boolean enable = "true".equals(ctx.formParam("enabled"));
        apply(ctx, device, new DeviceChange(null, null, null, enable), enable ? "device.enabled" : "device.disabled");
    }

    private void addKey(Context ctx) {
        Device device = device(ctx);
        try {
            devices.addKey(device.name(), Optional.ofNullable(ctx.formParam("publicKey")).orElse("").trim());
        } catch (DeviceException e) {
            edit(ctx, device, e.getMessage());
            return;
        }
        audit.record(Access.viewer(ctx).name(), "device.key-added", Map.of("device", device.name()));
        ctx.redirect("/devices/" + device.name() + "/edit", HttpStatus.SEE_OTHER);
    }

    private void removeKey(Context ctx) {
        Device device = device(ctx);
        String fingerprint = Optional.ofNullable(ctx.formParam("fingerprint")).orElse("");
        try {
            devices.removeKey(device.name(), fingerprint);
        } catch (DeviceException e) {
            edit(ctx, device, e.getMessage());
            return;
        }
        audit.record(Access.viewer(ctx).name(), "device.key-removed", Map.of("device", device.name(), "key", fingerprint));
        ctx.redirect("/devices/" + device.name() + "/edit", HttpStatus.SEE_OTHER);
    }

    private void quota(Context ctx) {
        Device device = device(ctx);
        String gb = Optional.ofNullable(ctx.formParam("quotaGb")).orElse("").trim();
        long bytes;
        try {
            bytes = gb.isEmpty() ? 0 : new BigDecimal(gb).movePointRight(9).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            edit(ctx, device, "The quota '" + gb + "' is not a number of GB; write e.g. 250 or 0.5, or leave it empty for none.");
            return;
        }
        apply(ctx, device, new DeviceChange(null, null, bytes, null), "device.quota-set");
    }

    private void confirm(Context ctx, Device device, String error) {
        if (error != null) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
        }
        pages.render(ctx, "device-delete.jte", new DeletePage(Access.layout(ctx, "Delete " + device.name(), "devices"), device,
                catalog.totals(device.name()), error));
    }

    private void delete(Context ctx) {
        Device device = device(ctx);
        String typed = Optional.ofNullable(ctx.formParam("confirm")).orElse("").trim();
        if (!typed.equals(device.name())) {
            confirm(ctx, device, typed.isEmpty()
                    ? "Type the device's name, " + device.name() + ", to confirm. Nothing was deleted."
                    : "You typed '" + typed + "', not '" + device.name() + "'. Nothing was deleted.");
            return;
        }
        devices.delete(device.name(), Access.viewer(ctx).name());
        ctx.redirect("/devices/" + device.name(), HttpStatus.SEE_OTHER);
    }
}
