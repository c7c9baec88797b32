package app.threefold.appliance;

import app.threefold.access.People;
import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.device.Devices;
import app.threefold.overlay.DeviceSessions;
import app.threefold.sshd.SftpServer;
import app.threefold.engine.Engine;
import app.threefold.health.ComponentHealth;
import app.threefold.health.ComponentHealth.State;
import app.threefold.health.HealthProbe;
import app.threefold.audit.AuditLog;
import app.threefold.jobs.Jobs;
import app.threefold.prune.BeforePrune;
import app.threefold.prune.Prune;
import app.threefold.prune.Prunes;
import app.threefold.login.LoginThrottle;
import app.threefold.jobs.RestoreProofs;
import app.threefold.jobs.Restores;
import app.threefold.mirror.Targets;
import app.threefold.restore.RestoreFolders;
import app.threefold.sources.LocalSource;
import app.threefold.sources.LocalSources;
import app.threefold.settings.Settings;
import app.threefold.sources.SourceScheduler;
import app.threefold.engine.EngineHolder;
import app.threefold.web.PanelServices;
import app.threefold.web.WebServer;
import app.threefold.web.WebServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance, the composition root: the instance lock, the catalog (embedded or
 * external PostgreSQL), the engine, jobs, mirror targets, the scheduler (local sources and syncs), the SFTP and web servers. {@link #stop()}
 * takes them down in reverse order.
 */
public final class Appliance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Appliance.class);

    private final Config config;
    private final Catalog catalog;
    private final WebServer web;
    private final EngineHolder engine;
    private final AtomicReference<SftpServer> sftp;
    private final Deque<Step> stopSteps;

    private record Step(String name, AutoCloseable resource) {
    }

    private Appliance(Config config, Catalog catalog, WebServer web, EngineHolder engine, AtomicReference<SftpServer> sftp,
                      Deque<Step> stopSteps) {
        this.config = config;
        this.catalog = catalog;
        this.web = web;
        this.engine = engine;
        this.sftp = sftp;
        this.stopSteps = stopSteps;
    }

    /**
     * Starts everything, or nothing: if a part fails, the parts already started are stopped again.
     *
     * @throws CommandRefusedException if another process uses the data directory
     */
    public static Appliance start(Config config, String version) {
        Deque<Step> started = new ArrayDeque<>();
        try {
            started.push(new Step("instance lock", InstanceLock.acquire(config.dataDir())));
            CatalogDatabase database = CatalogDatabase.open(config);
            started.push(new Step("catalog database", database));
            Catalog catalog = database.catalog();
            Clock clock = Clock.systemUTC();
            SecureRandom random = new SecureRandom();
            Accounts accounts = new Accounts(catalog.jdbi(), PasswordHasher.standard(), clock);
            ApiTokens apiTokens = new ApiTokens(catalog.jdbi(), clock, random);
            HealthProbe health = () -> List.of(
                    new ComponentHealth("database", catalog.isReachable() ? State.UP : State.DOWN),
                    new ComponentHealth("repository", repositoryState(config.dataDir())));
            // The setup wizard may create the engine later, so everything asks the EngineHolder.
            EngineHolder engine = new EngineHolder(openEngine(config, catalog, clock));
            started.push(new Step("engine", engine));
            AuditLog audit = new AuditLog(catalog.jdbi(), clock);
            Jobs jobs = new Jobs(catalog.jdbi(), clock);
            started.push(new Step("jobs", jobs));
            Devices devices = new Devices(catalog.jdbi(), PasswordHasher.standard(), clock);
            // One count of failed logins for the panel, the API and SFTP: a guesser cannot switch doors.
            LoginThrottle loginThrottle = new LoginThrottle(clock);
            // SFTP needs the repository: at start when it exists, else as soon as the wizard creates it.
            AtomicReference<SftpServer> sftp = new AtomicReference<>();
            LocalSources sources = new LocalSources(catalog.jdbi(), jobs, engine, audit, config.dataDir(), clock,
                    ZoneId.systemDefault());
            // The key for targets' secrets is the data directory's targets.key (owner-only), made on first start.
            Targets targets = new Targets(catalog.jdbi(), jobs, () -> engine.get().map(e -> e.repository().backend()),
                    audit, config.dataDir(), clock, ZoneId.systemDefault(), Targets.Settings.DEFAULT);
            // The weekly prune; the lead wires retention's "forget by every policy" in as its BeforePrune.
            Prunes prunes = new Prunes(engine, jobs, new Settings(catalog.jdbi()), audit, clock, BeforePrune.NOTHING,
                    Prune.DEFAULT_PATIENCE);
            // Stops before the jobs and the catalog; until the wizard creates the engine it finds nothing to do.
            // One timer starts what runs by the clock: local sources' backups, mirror syncs and the weekly prune.
            started.push(new Step("scheduler", new SourceScheduler(sources, List.of(targets.duty(), prunes.duty()),
                    Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "source-scheduler");
                        t.setDaemon(true);
                        return t;
                    }), clock, SourceScheduler.TICK).start()));
            PanelServices panel = new PanelServices(catalog, engine, jobs, new RestoreProofs(jobs, engine, audit, clock, targets.copies()),
                    new Restores(jobs, engine, audit, new RestoreFolders(catalog.jdbi(), audit,
                            () -> sources.list().stream().map(LocalSource::path).toList(), config.dataDir(), clock)), audit, new People(catalog.jdbi(), accounts),
                    () -> sftp.get() == null ? -1 : sftp.get().port(), sources, targets);
            Deque<Step> sftpSteps = new java.util.concurrent.ConcurrentLinkedDeque<>();
            started.push(new Step("SFTP", () -> stopAll(sftpSteps)));
            engine.whenInstalled(e -> sftp.set(startSftp(config, e, catalog, devices, loginThrottle, clock, sftpSteps)));
            WebServer web = WebServer.start(config.bindAddress(), config.httpPort(),
                    new WebServices(version, clock, clock.instant(), health, accounts, apiTokens, config.dataDir(), devices,
                            () -> sftp.get() == null ? Map.of() : sftp.get().hostKeyFingerprints(), panel, loginThrottle));
            started.push(new Step("web server", web));
            return new Appliance(config, catalog, web, engine, sftp, started);
        } catch (RuntimeException e) {
            stopAll(started);
            throw e;
        }
    }

    /** The repository engine, or null while the appliance is not set up yet. */
    private static Engine openEngine(Config config, Catalog catalog, Clock clock) {
        if (!Engine.initialised(config.dataDir())) {
            log.info("No repository in {} yet; set the appliance up with `threefold init` or the web wizard", config.dataDir());
            return null;
        }
        try {
            return Engine.open(config.dataDir(), catalog, clock);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("opening the repository in " + config.dataDir() + " failed", e);
        }
    }

    /**
     * Replays the SFTP sessions a crash interrupted, then listens for devices. Stopping commits
     * the sessions still open, after the server has stopped taking requests.
     */
    private static SftpServer startSftp(Config config, Engine engine, Catalog catalog, Devices devices,
                                        LoginThrottle loginThrottle, Clock clock, Deque<Step> started) {
        try {
            DeviceSessions sessions = new DeviceSessions(engine, catalog, devices, config.dataDir().resolve("sftp-sessions"),
                    clock, DeviceSessions.Limits.DEFAULT);
            started.push(new Step("SFTP sessions", sessions));
            int recovered = sessions.recover().size();
            if (recovered > 0) {
                log.warn("Recovered {} SFTP session(s) interrupted by a crash into snapshots tagged 'recovered'", recovered);
            }
            SftpServer sftp = SftpServer.start(new SftpServer.Settings(config.bindAddress(), config.sftpPort(), config.dataDir()),
                    devices, sessions, loginThrottle);
            started.push(new Step("SFTP server", sftp));
            return sftp;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("starting SFTP on port " + config.sftpPort() + " failed: " + e.getMessage()
                    + "; choose another port with --sftp-port or stop what uses it", e);
        }
    }

    /** The port SFTP listens on (the actual one when 0 was configured); -1 before the appliance is set up. */
    public int sftpPort() {
        SftpServer server = sftp.get();
        return server == null ? -1 : server.port();
    }

    // Placeholder until the engine owns repository health: the repository exists once its config does.
    private static State repositoryState(Path dataDir) {
        return Files.isRegularFile(dataDir.resolve("repository").resolve("config")) ? State.UP : State.MISSING;
    }

    /** The port the web server listens on (the actual one when 0 was configured). */
    public int httpPort() {
        return web.port();
    }

    /** The configuration this appliance runs with. */
    public Config config() {
        return config;
    }

    Catalog catalog() {
        return catalog;
    }

    /** The engine, once the repository exists (from {@code init} or the setup wizard). */
    java.util.Optional<Engine> engine() {
        return engine.get();
    }

    /** Stops accepting requests, lets requests in flight finish, stops PostgreSQL, releases the lock. */
    public synchronized void stop() {
        stopAll(stopSteps);
    }

    @Override
    public void close() {
        stop();
    }

    private static void stopAll(Deque<Step> steps) {
        RuntimeException failure = null;
        while (!steps.isEmpty()) {
            Step step = steps.pop();
            log.info("Stopping {}", step.name());
            try {
                step.resource().close();
            } catch (Exception e) {
                log.error("Stopping {} failed", step.name(), e);
                if (failure == null) {
                    failure = new IllegalStateException("Stopping " + step.name() + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
