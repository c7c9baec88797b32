package app.threefold.web;

import app.threefold.access.People;
import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.engine.EngineHolder;
import app.threefold.device.Devices;
import app.threefold.health.ComponentHealth;
import app.threefold.health.HealthProbe;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.jobs.Restores;
import app.threefold.mirror.Targets;
import app.threefold.restore.RestoreFolders;
import app.threefold.sources.LocalSources;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Panel services over a test catalog, without a repository (as before the setup wizard). */
final class TestPanel {

    private TestPanel() {
    }

    static PanelServices create(Catalog catalog, Accounts accounts, Clock clock, Path dataDir) {
        return create(catalog, accounts, clock, dataDir, new EngineHolder(null));
    }

    static PanelServices create(Catalog catalog, Accounts accounts, Clock clock, Path dataDir, EngineHolder engine) {
        AuditLog audit = new AuditLog(catalog.jdbi(), clock);
        Jobs jobs = new Jobs(catalog.jdbi(), clock);
        LocalSources sources = new LocalSources(catalog.jdbi(), jobs, engine, audit, dataDir, clock, java.time.ZoneOffset.UTC);
        RestoreFolders folders = new RestoreFolders(catalog.jdbi(), audit,
                () -> sources.list().stream().map(app.threefold.sources.LocalSource::path).toList(), dataDir, clock);
        Targets targets = new Targets(catalog.jdbi(), jobs, () -> engine.get().map(e -> e.repository().backend()),
                (copy, index) -> engine.get().orElseThrow().repository().openCopy(copy, index), audit,
                dataDir, clock, java.time.ZoneOffset.UTC, Targets.Settings.DEFAULT);
        return new PanelServices(catalog, engine, jobs, new RestoreProofs(jobs, engine, audit, clock, targets.copies()),
                new Restores(jobs, engine, audit, folders), audit,
                new People(catalog.jdbi(), accounts), () -> -1, sources, targets);
    }

    /** Everything the web server needs, with a healthy database and {@code devices} (may be null). */
    static WebServices services(Catalog catalog, Accounts accounts, Clock clock, Path dataDir, Devices devices) {
        HealthProbe probe = () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP));
        return new WebServices("test", clock, clock.instant(), probe, accounts,
                new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, devices, Map::of,
                create(catalog, accounts, clock, dataDir));
    }

    /** A panel started on an ephemeral port of 127.0.0.1; closing it stops the server and its jobs. */
    record Running(WebServer server, WebServices services) implements AutoCloseable {

        static Running start(WebServices services) {
            return new Running(WebServer.start("127.0.0.1", 0, services), services);
        }

        /** A browser stand-in logged in as {@code name}. */
        PanelClient login(String name, String password) throws Exception {
            return new PanelClient(server.port()).login(name, password);
        }

        @Override
        public void close() throws InterruptedException {
            server.stop();
            services.panel().jobs().close();
        }
    }
}
