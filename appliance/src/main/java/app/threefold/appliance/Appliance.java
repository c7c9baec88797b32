package app.threefold.appliance;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.engine.Engine;
import app.threefold.health.ComponentHealth;
import app.threefold.health.ComponentHealth.State;
import app.threefold.health.HealthProbe;
import app.threefold.web.WebServer;
import app.threefold.web.WebServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running appliance, the composition root: the instance lock, the catalog (embedded or
 * external PostgreSQL), the web server and, with later issues, the SFTP server. {@link #stop()}
 * takes them down in reverse order.
 */
public final class Appliance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Appliance.class);

    private final Config config;
    private final Catalog catalog;
    private final WebServer web;
    private final Deque<Step> stopSteps;

    private record Step(String name, AutoCloseable resource) {
    }

    private Appliance(Config config, Catalog catalog, WebServer web, Deque<Step> stopSteps) {
        this.config = config;
        this.catalog = catalog;
        this.web = web;
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
            Engine engine = openEngine(config, catalog, clock);
            if (engine != null) {
                started.push(new Step("engine", engine));
            }
            startSftp(config);
            WebServer web = WebServer.start(config.bindAddress(), config.httpPort(),
                    new WebServices(version, clock, clock.instant(), health, accounts, apiTokens, config.dataDir()));
            started.push(new Step("web server", web));
            return new Appliance(config, catalog, web, started);
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
     * Wiring point for the SFTP server (device uploads), which arrives with its own issue; until
     * then {@code --sftp-port} is parsed and kept in {@link Config#sftpPort()} but nothing listens.
     */
    private static void startSftp(Config config) {
        log.debug("SFTP is not part of this build; port {} stays closed", config.sftpPort());
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
