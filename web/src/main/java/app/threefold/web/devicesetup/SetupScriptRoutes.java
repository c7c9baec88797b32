package app.threefold.web.devicesetup;

import app.threefold.device.AuthorizedKey;
import app.threefold.device.Device;
import app.threefold.device.DeviceKeyPair;
import app.threefold.device.Devices;
import app.threefold.device.Lateness;
import app.threefold.device.UnknownDeviceException;
import app.threefold.web.page.Layout;
import app.threefold.web.page.Pages;
import app.threefold.web.session.Access;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.NotFoundResponse;
import io.javalin.http.ServiceUnavailableResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * "Set up this computer": {@code GET /devices/{device}/setup?os=…} shows what the script will
 * back up and when (editable), {@code POST /devices/{device}/setup} makes the device an ed25519
 * key pair, sets the device's rhythm and puts the script (with the private half inside) behind a
 * single-use link (the public half is authorized when the link is fetched), {@code GET /setup-script/{token}}, which needs no
 * login: the link is the secret, and it works once, for {@link OneTimeLinks#LIFETIME}.
 */
public final class SetupScriptRoutes {

    /** Path prefix of the single-use links; the panel's {@code Guard} lets it through without a session. */
    public static final String LINK_PREFIX = "/setup-script/";

    /** The form: the device, the chosen system and the choice shown (defaults or what was refused). */
    public record SetupPage(Layout layout, String device, ClientOs os, List<ClientOs> systems, String folders,
                            String excludes, String at, long rhythmHours, boolean acPowerOnly, String error) {
    }

    /** The script is ready: the one command, the download, when the link expires. */
    public record ReadyPage(Layout layout, String device, ClientOs os, String url, String command, String expires,
                            String fingerprint) {
    }

    private static final DateTimeFormatter EXPIRES = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final Devices devices;
    private final Supplier<List<String>> hostKeys;
    private final IntSupplier sftpPort;
    private final OneTimeLinks links;
    private final SetupScripts scripts;
    private final SecureRandom random;
    private final Clock clock;
    private final Pages pages;

    public SetupScriptRoutes(Devices devices, Supplier<List<String>> hostKeys, IntSupplier sftpPort, OneTimeLinks links,
                             SetupScripts scripts, SecureRandom random, Clock clock, Pages pages) {
        this.devices = devices;
        this.hostKeys = hostKeys;
        this.sftpPort = sftpPort;
        this.links = links;
        this.scripts = scripts;
        this.random = random;
        this.clock = clock;
        this.pages = pages;
    }

    public void addTo(RoutesConfig routes) {
        routes.get("/devices/{device}/setup", this::form);
        routes.post("/devices/{device}/setup", this::make);
        routes.get(LINK_PREFIX + "{token}", this::fetch);
    }

    private Devices devices() {
        if (devices == null) {
            throw new ServiceUnavailableResponse("Devices are not available in this build.");
        }
        return devices;
    }

    private Device device(Context ctx) {
        String name = ctx.pathParam("device");
        Access.requireDevice(ctx, name);
        return devices().find(name).orElseThrow(() -> new NotFoundResponse(
                "There is no SFTP account for device " + name + "; add it first."));
    }

    private static ClientOs os(Context ctx) {
        String id = Optional.ofNullable(ctx.queryParam("os")).or(() -> Optional.ofNullable(ctx.formParam("os"))).orElse("linux");
        return ClientOs.of(id).orElseThrow(() -> new SetupChoiceException("'" + id + "' is no system a script is made for:"
                + " choose linux, macos or windows."));
    }

    private void form(Context ctx) {
        Device device = device(ctx);
        ClientOs os = os(ctx);
        Lateness p = devices().punctuality(device.name());
        SetupChoice d = SetupChoice.defaults(os, p.rhythm());
        pages.render(ctx, "device-setup.jte", new SetupPage(layout(ctx, device), device.name(), os, List.of(ClientOs.values()),
                String.join("\n", d.folders()), String.join("\n", d.excludes()), d.at().toString(), p.rhythm().toHours(),
                false, null));
    }

    private Layout layout(Context ctx, Device device) {
        return Access.layout(ctx, "Set up " + device.name(), "devices");
    }

    private void make(Context ctx) {
        Device device = device(ctx);
        ClientOs os = os(ctx);
        String folders = Optional.ofNullable(ctx.formParam("folders")).orElse("");
        String excludes = Optional.ofNullable(ctx.formParam("excludes")).orElse("");
        String at = Optional.ofNullable(ctx.formParam("at")).orElse("");
        String rhythm = Optional.ofNullable(ctx.formParam("rhythmHours")).orElse("24").strip();
        boolean ac = ctx.formParam("acPowerOnly") != null;
        SetupChoice choice;
        SetupScripts.Target target;
        try {
            long hours;
            try {
                hours = Long.parseLong(rhythm);
            } catch (NumberFormatException e) {
                throw new SetupChoiceException("'" + rhythm + "' is not a number of hours; the default is 24 (daily).");
            }
            LocalTime time = SetupChoice.time(at);
            choice = new SetupChoice(os, time, Duration.ofHours(hours), SetupChoice.lines(folders), SetupChoice.lines(excludes), ac);
            target = new SetupScripts.Target(host(ctx), sftpPort.getAsInt(), device.name(), hostKeys.get());
        } catch (SetupChoiceException e) {
            ctx.status(HttpStatus.BAD_REQUEST);
            pages.render(ctx, "device-setup.jte", new SetupPage(layout(ctx, device), device.name(), os,
                    List.of(ClientOs.values()), folders, excludes, at, parseOr(rhythm), ac, e.getMessage()));
            return;
        }
        Instant now = clock.instant();
        DeviceKeyPair pair = DeviceKeyPair.generate(random, "threefold-" + device.name() + "-" + os.id() + "-"
                + now.toString().substring(0, 10));
        String script = scripts.script(choice, target, pair.privateKey(), now);
        // The key is authorized when the script is fetched, not now: a link never fetched, or
        // expired, leaves no key the device accepts.
        devices().setRhythm(device.name(), choice.rhythm());
        String fingerprint = AuthorizedKey.parse(pair.publicKey()).fingerprint();
        devices().audit(Access.viewer(ctx).name(), "device.setup-script", Map.of("device", device.name(), "os", os.id(),
                "key", fingerprint));
        String token = links.add(new OneTimeLinks.Script(device.name(), os.fileName(), script, pair.publicKey()));
        String url = ctx.scheme() + "://" + ctx.host() + LINK_PREFIX + token;
        pages.render(ctx, "device-setup-ready.jte", new ReadyPage(layout(ctx, device), device.name(), os, url,
                os.command(url), EXPIRES.format(now.plus(OneTimeLinks.LIFETIME)), fingerprint));
    }

    private static long parseOr(String hours) {
        try {
            return Long.parseLong(hours);
        } catch (NumberFormatException e) {
            return 24;
        }
    }

    /** The NAS as this browser reaches it: the name or address the computer being set up will use too. */
    private static String host(Context ctx) {
        String host = Optional.ofNullable(ctx.host()).orElse("nas");
        if (host.startsWith("[")) {
            return host.substring(1, host.indexOf(']'));
        }
        return host.replaceFirst(":\\d+$", "");
    }

    /**
     * The script, once. A refusal's body is itself a two-line script (valid sh and PowerShell)
     * that says why and stops, so {@code curl … | sh} shows the message instead of nothing.
     */
    private void fetch(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        OneTimeLinks.Refusal[] why = new OneTimeLinks.Refusal[1];
        Optional<OneTimeLinks.Script> script = links.take(ctx.pathParam("token"), r -> why[0] = r);
        if (script.isEmpty()) {
            refuse(ctx, why[0].reason() == OneTimeLinks.Reason.UNKNOWN ? HttpStatus.NOT_FOUND : HttpStatus.GONE,
                    why[0].message());
            return;
        }
        try {
            devices().addKey(script.get().device(), script.get().publicKey());
        } catch (UnknownDeviceException e) {
            refuse(ctx, HttpStatus.NOT_FOUND, "Device " + script.get().device() + " was deleted after this setup link"
                    + " was made; add the device again and make a new script.");
            return;
        }
        ctx.contentType("text/plain; charset=utf-8");
        if (ctx.queryParam("download") != null) {
            ctx.header("Content-Disposition", "attachment; filename=\"" + script.get().fileName() + "\"");
            if (script.get().fileName().endsWith(".ps1")) {
                // Windows PowerShell 5.1 reads a -File script without a byte order mark in the ANSI
                // code page, which garbles any non-ASCII folder name; irm | iex gets text, not a file.
                ctx.result("\uFEFF" + script.get().text());
                return;
            }
        }
        ctx.result(script.get().text());
    }

    private static void refuse(Context ctx, HttpStatus status, String message) {
        ctx.status(status);
        ctx.contentType("text/plain; charset=utf-8");
        ctx.result("echo 'Threefold: " + message.replace("'", "") + "'\nexit 1\n");
    }
}
