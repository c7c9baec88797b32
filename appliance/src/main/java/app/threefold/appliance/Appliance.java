package app.threefold.appliance;

import app.threefold.alert.Alerts;
import app.threefold.alert.Channels;
import app.threefold.alert.Conditions;
import app.threefold.alert.Finding;
import app.threefold.alert.Incidents;
import app.threefold.device.ArchivedDevices;
import app.threefold.settings.Settings;
import app.threefold.snapshot.CatalogSnapshots;

import app.threefold.access.People;
import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.device.Devices;
import app.threefold.overlay.DeviceSessions;
import app.threefold.peer.Guests;
import app.threefold.peer.Pairing;
import app.threefold.peer.Pairings;
import app.threefold.peer.PeerTargets;
import app.threefold.backend.SftpSettings;
import app.threefold.settings.Settings;
import app.threefold.sshd.PairingClient;
import app.threefold.sshd.SftpServer;
import app.threefold.sshd.client.MinaSftpBackends;
import app.threefold.web.PeerServices;
import app.threefold.engine.Engine;
import app.threefold.health.ComponentHealth;
import app.threefold.health.ComponentHealth.State;
import app.threefold.health.HealthProbe;
import app.threefold.audit.AuditLog;
import app.threefold.jobs.Jobs;
import app.threefold.retention.Retention;
import app.threefold.prune.Prune;
import app.threefold.prune.Prunes;
import app.threefold.login.LoginThrottle;
import app.threefold.jobs.RestoreProofs;
import app.threefold.mirror.Target;
import app.threefold.mirror.TargetId;
import app.threefold.proof.ProofSchedule;
import app.threefold.proof.RestoreTestLog;
import app.threefold.proof.Scrubs;
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
import java.time.Duration;
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
    private PeerServices peers;

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
        return start(config, version, Clock.systemUTC());
    }

    /**
     * {@link #start(Config, String)} on {@code clock}: tests move it to see what time does (a
     * device falling late for its rhythm, a setup link expiring) without waiting.
     */
    public static Appliance start(Config config, String version, Clock clock) {
        return start(config, version, clock, clock, SourceScheduler.TICK);
    }

    /**
     * As {@link #start(Config, String, Clock)}, with the clock the scheduler reads and how often it looks:
     * tests move that clock to have scheduled work (restore tests, scrubs, syncs) come due.
     */
    static Appliance start(Config config, String version, Clock clock, Clock schedulerClock,
                           java.time.Duration schedulerTick) {
        Deque<Step> started = new ArrayDeque<>();
        try {
            started.push(new Step("instance lock", InstanceLock.acquire(config.dataDir())));
            CatalogDatabase database = CatalogDatabase.open(config);
            started.push(new Step("catalog database", database));
            Catalog catalog = database.catalog();
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
            // A sync reads the snapshots left on a copy with the repository's key before it removes packs there.
            Targets targets = new Targets(catalog.jdbi(), jobs, () -> engine.get().map(e -> e.repository().backend()),
                    (copy, index) -> engine.get().orElseThrow().repository().openCopy(copy, index),
                    audit, config.dataDir(), clock, ZoneId.systemDefault(), Targets.Settings.DEFAULT, new MinaSftpBackends());
            // Every restore test's outcome is kept; copies are named as the panel names them.
            RestoreTestLog restoreTestLog = new RestoreTestLog(catalog.jdbi(), clock, copy -> RestoreProofs.LOCAL.equals(copy)
                    ? "this NAS" : targets.find(TargetId.parse(copy)).map(Target::name).orElse("copy " + copy));
            RestoreProofs restoreProofs = new RestoreProofs(jobs, engine, audit, clock, targets.copies(), restoreTestLog);
            Scrubs scrubs = new Scrubs(catalog.jdbi(), jobs, engine, targets, audit, clock);
            ProofSchedule proofs = new ProofSchedule(engine, targets, jobs, restoreProofs, restoreTestLog, scrubs);
            // Alerts: the conditions are evaluated every five minutes by the one scheduler; messages go out once per incident.
            Channels alertChannels = new Channels(catalog.jdbi(), config.dataDir(), audit, clock);
            Incidents incidents = new Incidents(catalog.jdbi());
            Settings settings = new Settings(catalog.jdbi());
            Alerts alerts = new Alerts(List.of(
                    Conditions.restoreTestFailed(jobs),
                    Conditions.deviceSilent(new CatalogSnapshots(catalog.jdbi()), devices, new ArchivedDevices(catalog.jdbi()), settings),
                    Conditions.copyBehind(targets, settings),
                    Conditions.diskFull(config.dataDir(), incidents),
                    Conditions.scrubDamage(now -> scrubDamage(scrubs, false)),
                    Conditions.damageUnrepaired(now -> scrubDamage(scrubs, true)),
                    Conditions.peerUnreachable(now -> unreachablePeers(targets, now))),
                    incidents, alertChannels, clock, Duration.ofMinutes(5));
            // Pairing (docs/peers.md): the host side's guests, and this appliance's own pairings with hosts,
            // each of which becomes an off-site SFTP copy target.
            Guests guests = new Guests(catalog.jdbi(), audit, new Settings(catalog.jdbi()), config.dataDir(), clock, random,
                    () -> hostKeyFingerprint(config.dataDir()));
            Pairings pairings = new Pairings(catalog.jdbi(), audit, config.dataDir(), clock,
                    new PairingClient(config.dataDir(), Duration.ofSeconds(30)), peerTargets(targets));
            // The weekly prune, with every retention policy applied just before it (devices, local sources,
            // archived devices), so that the prune frees what the policies let go.
            Retention retention = new Retention(catalog.jdbi(), engine::get, new ArchivedDevices(catalog.jdbi()), () -> {
                List<String> names = new java.util.ArrayList<>(devices.names());
                sources.list().forEach(s -> names.add(s.name()));
                return names;
            }, audit, clock);
            Prunes prunes = new Prunes(engine, jobs, new Settings(catalog.jdbi()), audit, clock,
                    progress -> retention.forgetByEveryPolicy("weekly maintenance"), Prune.DEFAULT_PATIENCE);
            // Stops before the jobs and the catalog; until the wizard creates the engine it finds nothing to do.
            // One timer starts what runs by the clock: local sources' backups, mirror syncs, restore tests and
            // scrubs, alerts, guests' due deletions and the weekly prune.
            started.push(new Step("scheduler", new SourceScheduler(sources, List.of(targets.duty(), proofs, alerts.duty(), deletions(guests), prunes.duty()),
                    Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "source-scheduler");
                        t.setDaemon(true);
                        return t;
                    }), schedulerClock, schedulerTick).start()));
            PanelServices panel = new PanelServices(catalog, engine, jobs, restoreProofs,
                    new Restores(jobs, engine, audit, new RestoreFolders(catalog.jdbi(), audit,
                            () -> sources.list().stream().map(LocalSource::path).toList(), config.dataDir(), clock)), audit, new People(catalog.jdbi(), accounts),
                    () -> sftp.get() == null ? -1 : sftp.get().port(), sources, targets, alertChannels, incidents,
                    restoreTestLog, scrubs, retention, prunes);
            Deque<Step> sftpSteps = new java.util.concurrent.ConcurrentLinkedDeque<>();
            started.push(new Step("SFTP", () -> stopAll(sftpSteps)));
            engine.whenInstalled(e -> sftp.set(startSftp(config, e, catalog, devices, loginThrottle, guests, clock, sftpSteps)));
            PeerServices peers = new PeerServices(guests, pairings, () -> sftp.get() == null ? -1 : sftp.get().port());
            WebServer web = WebServer.start(config.bindAddress(), config.httpPort(),
                    new WebServices(version, clock, clock.instant(), health, accounts, apiTokens, config.dataDir(), devices,
                            () -> sftp.get() == null ? Map.of() : sftp.get().hostKeyFingerprints(), panel, loginThrottle,
                            () -> sftp.get() == null ? List.of() : sftp.get().hostKeyLines()),
                    peers);
            started.push(new Step("web server", web));
            Appliance appliance = new Appliance(config, catalog, web, engine, sftp, started);
            appliance.peers = peers;
            return appliance;
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
                                        LoginThrottle loginThrottle, Guests guests, Clock clock, Deque<Step> started) {
        try {
            DeviceSessions sessions = new DeviceSessions(engine, catalog, devices, config.dataDir().resolve("sftp-sessions"),
                    clock, DeviceSessions.Limits.DEFAULT);
            started.push(new Step("SFTP sessions", sessions));
            int recovered = sessions.recover().size();
            if (recovered > 0) {
                log.warn("Recovered {} SFTP session(s) interrupted by a crash into snapshots tagged 'recovered'", recovered);
            }
            SftpServer sftp = SftpServer.start(new SftpServer.Settings(config.bindAddress(), config.sftpPort(), config.dataDir()),
                    devices, sessions, loginThrottle, guests);
            started.push(new Step("SFTP server", sftp));
            return sftp;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("starting SFTP on port " + config.sftpPort() + " failed: " + e.getMessage()
                    + "; choose another port with --sftp-port or stop what uses it", e);
        }
    }

    private static String hostKeyFingerprint(Path dataDir) {
        try {
            return SftpServer.hostKeyFingerprint(dataDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the SFTP host key in " + dataDir.resolve("ssh"), e);
        }
    }

    /**
     * Where a pairing becomes a copy: the friend's NAS as an off-site SFTP target on the guest
     * account, with the pinned host key and the pairing's own key, synced nightly like a bucket.
     */
    private static PeerTargets peerTargets(Targets targets) {
        return new PeerTargets() {
            @Override
            public long addPeer(Pairing p) {
                SftpSettings server = new SftpSettings(p.user(), p.host(), p.port(), "", p.hostKey(), p.keyFile(), null);
                // The friend's name as the copy's name; a second pairing with the same friend (or a copy
                // already called so) gets "Sam's NAS (2)" rather than a refusal after the host said yes.
                java.util.Set<String> taken = new java.util.HashSet<>();
                targets.list().forEach(t -> taken.add(t.name()));
                String name = p.name();
                for (int n = 2; taken.contains(name); n++) {
                    name = p.name() + " (" + n + ")";
                }
                return targets.addSftp(name, server, true, Target.NIGHTLY, 0, "pairing").id().value();
            }

            @Override
            public void removePeer(long targetId) {
                targets.remove(new TargetId(targetId), "pairing");
            }
        };
    }

    /** What the latest scrub of each copy found: all damage, or only what no copy could repair. */
    private static List<Finding> scrubDamage(Scrubs scrubs, boolean unrepairedOnly) {
        return scrubs.damageFound().stream()
                .filter(o -> !unrepairedOnly || !o.unrepaired().isEmpty())
                .map(o -> unrepairedOnly
                        ? new Finding(o.copy(), "Damage on " + o.copyName() + " that no copy could repair",
                                o.unrepaired().size() + " pack(s) stay damaged; the files and snapshots they hold are listed"
                                        + " on the Copies page (last scrub). Back those devices up again soon.")
                        : new Finding(o.copy(), "A scrub found damage on " + o.copyName(),
                                o.damaged().size() + " damaged pack(s), " + o.repaired().size() + " repaired from another copy,"
                                        + " " + o.unrepaired().size() + " not. See the Copies page (last scrub)."))
                .toList();
    }

    /**
     * A friend's NAS whose last sync failed and that has not taken a good sync for three days: the
     * friend's appliance is off, its address changed, or the way in (port forward, VPN) is gone.
     */
    private static List<Finding> unreachablePeers(Targets targets, java.time.Instant now) {
        return targets.list().stream()
                .filter(t -> t.sftp() != null && t.sftp().peer() && t.enabled())
                .filter(t -> t.lastSync() != null && t.lastSync().state() == Target.LastSync.State.FAILED)
                .filter(t -> (t.lastGoodSync() == null ? t.created() : t.lastGoodSync()).isBefore(now.minus(Duration.ofDays(3))))
                .map(t -> new Finding("target-" + t.id().value(), t.name() + " has been unreachable for more than 3 days",
                        "The last sync failed: " + t.lastSync().error() + " Ask your friend whether their NAS is on and"
                                + " reachable at " + t.sftp().host() + ":" + t.sftp().port() + "."))
                .toList();
    }

    /** Carries out guests' deletions whose grace period has passed, at each tick of the scheduler. */
    private static SourceScheduler.Duty deletions(Guests guests) {
        return new SourceScheduler.Duty() {
            @Override
            public boolean ready() {
                return true;
            }

            @Override
            public void startDue(java.time.Instant now) {
                int done = guests.carryOutDueDeletions();
                if (done > 0) {
                    log.info("Removed {} file(s) guests asked to delete, their grace period over", done);
                }
            }
        };
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

    /** Guests and pairings (docs/peers.md), for tests that drive them beside the panel. */
    PeerServices peers() {
        return peers;
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
