package app.threefold.web;

import app.threefold.access.People;
import app.threefold.alert.Channels;
import app.threefold.alert.Incidents;
import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.engine.EngineHolder;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.jobs.Restores;
import app.threefold.mirror.Targets;
import app.threefold.proof.RestoreTestLog;
import app.threefold.proof.Scrubs;
import app.threefold.prune.Prunes;
import app.threefold.retention.Retention;
import app.threefold.sources.LocalSources;
import java.time.Clock;
import java.util.Objects;

/**
 * What the admin panel needs beyond the API: the catalog (snapshot summaries, settings), the
 * engine as it appears, the SFTP port devices connect to (-1 while SFTP is off), jobs, restore tests, restores to NAS folders, the activity log, the people who may log in
 * and the local sources (folders on the NAS snapshotted on a schedule), and the mirror targets (the
 * other copies: S3 buckets, folders such as a USB disk), where alerts go and the incidents they were about (null in
 * panels without alerts), the restore tests' kept results and the copies' scrubs, and the retention
 * policies and prunes the appliance's scheduler uses too (null in panels of tests: the web server then makes its
 * own), so that one serve has one of each and a pin's hold-off covers the weekly forget as well.
 */
public record PanelServices(Catalog catalog, EngineHolder engine, Jobs jobs, RestoreProofs restoreTests, Restores restores,
                            AuditLog audit, People people, java.util.function.IntSupplier sftpPort,
                            LocalSources sources, Targets targets, Channels alertChannels, Incidents alertIncidents,
                            RestoreTestLog restoreTestLog, Scrubs scrubs, Retention retention, Prunes prunes) {

    /** A panel without alerts (tests of other pages): Settings → Alerts is not served. */
    public PanelServices(Catalog catalog, EngineHolder engine, Jobs jobs, RestoreProofs restoreTests, Restores restores,
                         AuditLog audit, People people, java.util.function.IntSupplier sftpPort, LocalSources sources,
                         Targets targets) {
        this(catalog, engine, jobs, restoreTests, restores, audit, people, sftpPort, sources, targets, (Channels) null, (Incidents) null);
    }

    /** Without kept restore test results of its own: a log and scrubs over the same catalog and jobs. */
    public PanelServices(Catalog catalog, EngineHolder engine, Jobs jobs, RestoreProofs restoreTests, Restores restores,
                         AuditLog audit, People people, java.util.function.IntSupplier sftpPort,
                         LocalSources sources, Targets targets, Channels alertChannels, Incidents alertIncidents) {
        this(catalog, engine, jobs, restoreTests, restores, audit, people, sftpPort, sources, targets,
                alertChannels, alertIncidents,
                new RestoreTestLog(catalog.jdbi(), Clock.systemUTC(), id -> id),
                new Scrubs(catalog.jdbi(), jobs, engine::get, targets, audit, Clock.systemUTC()));
    }

    /** Without alerts, with its own restore test log and scrubs. */
    public PanelServices(Catalog catalog, EngineHolder engine, Jobs jobs, RestoreProofs restoreTests, Restores restores,
                         AuditLog audit, People people, java.util.function.IntSupplier sftpPort,
                         LocalSources sources, Targets targets, RestoreTestLog restoreTestLog, Scrubs scrubs) {
        this(catalog, engine, jobs, restoreTests, restores, audit, people, sftpPort, sources, targets, null, null,
                restoreTestLog, scrubs);
    }

    /** With alerts, kept restore test results and scrubs, without the scheduler's retention and prunes. */
    public PanelServices(Catalog catalog, EngineHolder engine, Jobs jobs, RestoreProofs restoreTests, Restores restores,
                         AuditLog audit, People people, java.util.function.IntSupplier sftpPort,
                         LocalSources sources, Targets targets, Channels alertChannels, Incidents alertIncidents,
                         RestoreTestLog restoreTestLog, Scrubs scrubs) {
        this(catalog, engine, jobs, restoreTests, restores, audit, people, sftpPort, sources, targets, alertChannels,
                alertIncidents, restoreTestLog, scrubs, null, null);
    }

    public PanelServices {
        Objects.requireNonNull(catalog);
        Objects.requireNonNull(engine);
        Objects.requireNonNull(jobs);
        Objects.requireNonNull(restoreTests);
        Objects.requireNonNull(restores);
        Objects.requireNonNull(audit);
        Objects.requireNonNull(people);
        Objects.requireNonNull(sources);
        Objects.requireNonNull(targets);
        Objects.requireNonNull(restoreTestLog);
        Objects.requireNonNull(scrubs);
    }
}
