package app.threefold.web;

import app.threefold.device.ArchivedDevices;
import app.threefold.engine.Engine;
import app.threefold.retention.Retention;
import app.threefold.retention.Space;
import app.threefold.prune.Prunes;
import app.threefold.settings.Settings;
import app.threefold.snapshot.CatalogSnapshots;
import app.threefold.web.activity.ActivityRoutes;
import app.threefold.web.api.ApiAuthentication;
import app.threefold.web.api.ApiErrors;
import app.threefold.web.api.JobRoutes;
import app.threefold.web.api.PruneRoutes;
import app.threefold.web.api.JsonBodies;
import app.threefold.web.api.StatusRoutes;
import app.threefold.web.dashboard.DashboardRoutes;
import app.threefold.web.devicesetup.DeviceEditRoutes;
import app.threefold.web.devicesetup.DeviceSetupRoutes;
import app.threefold.web.devicesetup.OneTimeLinks;
import app.threefold.web.devicesetup.SetupScriptRoutes;
import app.threefold.web.devicesetup.SetupScripts;
import app.threefold.web.health.HealthRoutes;
import app.threefold.web.page.Pages;
import app.threefold.web.people.PeopleRoutes;
import app.threefold.web.restoretests.RestoreTestRoutes;
import app.threefold.web.retention.RetentionRoutes;
import app.threefold.web.session.ForeignOrigins;
import app.threefold.web.session.Guard;
import app.threefold.web.session.LoginRoutes;
import app.threefold.web.session.Sessions;
import app.threefold.web.alerts.AlertRoutes;
import app.threefold.web.settings.SettingsRoutes;
import app.threefold.recovery.Recovery;
import app.threefold.web.setup.RecoverRoutes;
import app.threefold.web.setup.SetupRoutes;
import app.threefold.web.setup.SetupState;
import app.threefold.web.snapshots.BrowseRoutes;
import app.threefold.web.snapshots.CompareRoutes;
import app.threefold.web.snapshots.DeviceRoutes;
import app.threefold.web.snapshots.SearchRoutes;
import app.threefold.web.snapshots.SnapshotCatalog;
import app.threefold.web.sources.SourceRoutes;
import app.threefold.web.peers.PeerApiRoutes;
import app.threefold.web.peers.PeerRoutes;
import app.threefold.web.targets.TargetApiRoutes;
import app.threefold.web.targets.TargetRoutes;
import app.threefold.web.proofs.ProofRoutes;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's HTTP server: {@code GET /healthz} without authentication, the JSON API under
 * {@code /api/v1} for administrators (HTTP Basic) and API tokens (Bearer), and the admin panel
 * (server-rendered pages with HTMX, behind a login; see {@link Guard}).
 */
public final class WebServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebServer.class);

    private final Javalin javalin;

    private WebServer(Javalin javalin) {
        this.javalin = javalin;
    }

    /**
     * Starts listening on {@code bindAddress:port}; port 0 picks a free port (see {@link #port()}).
     *
     * @throws WebServerException if the address cannot be bound (e.g. the port is in use)
     */
    public static WebServer start(String bindAddress, int port, WebServices services) {
        return start(bindAddress, port, services, null);
    }

    /**
     * As {@link #start(String, int, WebServices)}, with the Friends page and {@code /api/v1/peers}
     * when {@code peers} is given (docs/peers.md).
     */
    public static WebServer start(String bindAddress, int port, WebServices services, PeerServices peers) {
        Objects.requireNonNull(bindAddress);
        Objects.requireNonNull(services);
        PanelServices panel = services.panel();
        Pages pages = new Pages();
        SecureRandom random = new SecureRandom();
        Sessions sessions = new Sessions(panel.catalog().jdbi(), services.clock(), random);
        SetupState setup = new SetupState(services.accounts(), panel.catalog().jdbi());
        SnapshotCatalog snapshots = new SnapshotCatalog(new CatalogSnapshots(panel.catalog().jdbi()),
                () -> panel.engine().get().map(Engine::storedBytes).orElse(0L), services.devices(), new ArchivedDevices(panel.catalog().jdbi()),
                panel.audit());
        SourceRoutes sources = new SourceRoutes(panel.sources(), panel.jobs(), services.clock(), pages);
        TargetRoutes copies = new TargetRoutes(panel.targets(), panel.jobs(),
                app.threefold.engine.Engine.repositoryDir(services.dataDir()).toString(), services.clock(), pages);
        DashboardRoutes dashboard = new DashboardRoutes(snapshots, panel.jobs(), panel.sources(), sources,
                panel.targets(), services.dataDir(), services.clock(), pages, services.devices(), panel.restoreTestLog());
        RestoreTestRoutes restoreTests = new RestoreTestRoutes(panel.restoreTests(), panel.jobs(), dashboard::cardTests,
                pages);
        ArchivedDevices archivedDevices = new ArchivedDevices(panel.catalog().jdbi());
        Retention retention = panel.retention() != null ? panel.retention()
                : new Retention(panel.catalog().jdbi(), panel.engine(), archivedDevices, () -> {
                    List<String> names = new java.util.ArrayList<>(services.devices() == null ? List.of() : services.devices().names());
                    panel.sources().list().forEach(s -> names.add(s.name()));
                    return names;
                }, panel.audit(), services.clock());
        Prunes prunes = panel.prunes() != null ? panel.prunes()
                : new Prunes(panel.engine(), panel.jobs(), new Settings(panel.catalog().jdbi()), panel.audit(), services.clock());
        Space space = new Space(panel.catalog().jdbi(), panel.engine(), services.dataDir(), services.clock());
        Javalin javalin = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            // Let in-flight requests finish on stop instead of cutting them off.
            cfg.jetty.modifyServer(server -> server.setStopTimeout(5_000));
            cfg.staticFiles.enableWebjars();
            cfg.staticFiles.add(files -> {
                files.hostedPath = "/static";
                files.directory = "/app/threefold/web/static";
                files.location = Location.CLASSPATH;
            });
            cfg.events.serverStopping(restoreTests::close);
            // Defence in depth behind jte's escaping: no inline script, no framing, no foreign origins.
            cfg.routes.before(ctx -> {
                ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none';"
                        + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
                ctx.header("X-Content-Type-Options", "nosniff");
                ctx.header("Referrer-Policy", "same-origin");
            });
            new HealthRoutes(services).addTo(cfg.routes);
            // Before authentication: a cross-site or non-JSON request is refused whoever sent it.
            ForeignOrigins.addTo(cfg.routes);
            JsonBodies.addTo(cfg.routes);
            new ApiAuthentication(services.accounts(), services.apiTokens(), panel.people(), services.loginThrottle(), panel.audit(),
                    services.clock()).addTo(cfg.routes);
            new StatusRoutes(services).addTo(cfg.routes);
            new JobRoutes(panel.restoreTests(), panel.jobs()).addTo(cfg.routes);
            new TargetApiRoutes(panel.targets()).addTo(cfg.routes);
            if (peers != null) {
                new PeerApiRoutes(peers).addTo(cfg.routes);
            }
            // The on-demand prune; the same Prunes runs the weekly one, with the retention policies before it, from the scheduler.
            new PruneRoutes(prunes).addTo(cfg.routes);
            new Guard(sessions, setup, panel.people()).addTo(cfg.routes);
            new SetupRoutes(services.accounts(), setup, sessions, panel.engine(), panel.catalog(), snapshots, services.dataDir(),
                    panel.audit(), services.clock(), random, pages).addTo(cfg.routes);
            if (services.devices() != null) {
                new RecoverRoutes(new Recovery(services.dataDir(), panel.catalog(), services.devices(), panel.targets(),
                        services.clock()), services.accounts(), setup, sessions, panel.engine(), panel.audit(), pages).addTo(cfg.routes);
            }
            new LoginRoutes(services.accounts(), sessions, services.loginThrottle(), panel.audit(), services.clock(), pages)
                    .addTo(cfg.routes);
            dashboard.addTo(cfg.routes);
            // Before DeviceRoutes, so /devices/new is not taken for a device named "new".
            new DeviceSetupRoutes(services.devices(), services.sshHostKeys(), panel.sftpPort(), pages)
                    .addTo(cfg.routes);
            new SetupScriptRoutes(services.devices(), services.sshHostKeyLines(), panel.sftpPort(),
                    new OneTimeLinks(services.clock(), random), new SetupScripts(), random, services.clock(), pages)
                    .addTo(cfg.routes);
            new DeviceEditRoutes(services.devices(), snapshots, panel.audit(), pages).addTo(cfg.routes);
            new DeviceRoutes(dashboard, snapshots, panel.jobs(), services.loginThrottle(), pages).addTo(cfg.routes);
            new BrowseRoutes(snapshots, panel.engine(), panel.restores(), panel.audit(), pages).addTo(cfg.routes);
            new SearchRoutes(snapshots, panel.engine(), pages).addTo(cfg.routes);
            new CompareRoutes(snapshots, panel.engine(), pages).addTo(cfg.routes);
            restoreTests.addTo(cfg.routes);
            new ActivityRoutes(panel.audit(), pages).addTo(cfg.routes);
            new PeopleRoutes(panel.people(), snapshots, sessions, panel.audit(), pages).addTo(cfg.routes);
            sources.addTo(cfg.routes);
            copies.addTo(cfg.routes);
            new ProofRoutes(panel.scrubs(), panel.restoreTestLog(), panel.jobs(), services.clock(), pages).addTo(cfg.routes);
            if (peers != null) {
                new PeerRoutes(peers, services.clock(), pages).addTo(cfg.routes);
            }
            new SettingsRoutes(panel.restores().folders(), pages).addTo(cfg.routes);
            if (panel.alertChannels() != null) {
                new AlertRoutes(panel.alertChannels(), panel.alertIncidents(), pages).addTo(cfg.routes);
            }
            new app.threefold.web.devices.DeviceRoutes(services).addTo(cfg.routes);
            new RetentionRoutes(retention, space, archivedDevices::contains, services.clock(), pages).addTo(cfg.routes);
            ApiErrors.addTo(cfg.routes, pages);
        });
        try {
            javalin.start(bindAddress, port);
        } catch (RuntimeException e) {
            javalin.stop();
            throw new WebServerException("Cannot listen for HTTP on " + bindAddress + ":" + port + " ("
                    + e.getMessage() + "). Choose another port with --http-port or stop what uses it.", e);
        }
        log.info("HTTP server listening on {}:{}", bindAddress, javalin.port());
        return new WebServer(javalin);
    }

    /** Every HTTP route as "METHOD path", for the test that proves each one is protected. */
    List<String> routes() {
        java.util.Set<String> methods = java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
        return javalin.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(e -> methods.contains(e.endpoint.method.name()))
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path).toList();
    }

    /** The port actually bound. */
    public int port() {
        return javalin.port();
    }

    /** Stops accepting connections and waits briefly for requests in flight. */
    public void stop() {
        javalin.stop();
    }

    @Override
    public void close() {
        stop();
    }
}
