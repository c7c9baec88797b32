package app.threefold.proof;

import app.threefold.audit.AuditLog;
import app.threefold.backend.S3Server;
import app.threefold.backend.S3Settings;
import app.threefold.catalog.Catalog;
import app.threefold.clock.TestClock;
import app.threefold.engine.Engine;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.mirror.Target;
import app.threefold.mirror.Targets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * An appliance's engine with the parts that prove it: jobs, the mirror's targets, restore tests
 * kept in the catalog, scrubs and the schedule, all on one clock the test moves.
 */
final class ProofFixture implements AutoCloseable {
    static final String RECOVERY = "recovery password 123";

    final TestClock clock = new TestClock(Instant.parse("2026-11-02T08:00:00Z"));
    final Path dataDir;
    final Engine engine;
    final Jobs jobs;
    final AuditLog audit;
    final Targets targets;
    final RestoreTestLog log;
    final RestoreProofs restoreTests;
    final Scrubs scrubs;
    final ProofSchedule schedule;

    ProofFixture(Catalog catalog, Path dir) throws Exception {
        dataDir = dir.resolve("data");
        engine = Engine.create(dataDir, RECOVERY.toCharArray(), catalog, clock);
        jobs = new Jobs(catalog.jdbi(), clock);
        audit = new AuditLog(catalog.jdbi(), clock);
        targets = new Targets(catalog.jdbi(), jobs, () -> Optional.of(engine.repository().backend()), audit,
                dataDir, clock, ZoneOffset.UTC, Targets.Settings.DEFAULT);
        log = new RestoreTestLog(catalog.jdbi(), clock, copy -> RestoreProofs.LOCAL.equals(copy) ? "this NAS" : "copy " + copy);
        restoreTests = new RestoreProofs(jobs, () -> Optional.of(engine), audit, clock, targets.copies(), log);
        scrubs = new Scrubs(catalog.jdbi(), jobs, () -> Optional.of(engine), targets, audit, clock);
        schedule = new ProofSchedule(() -> Optional.of(engine), targets, jobs, restoreTests, log, scrubs);
    }

    Path repository() {
        return Engine.repositoryDir(dataDir);
    }

    /** A bucket on the S3 server as a target, synced once. */
    Target bucket(S3Server server, String name) throws Exception {
        S3Settings bucket = server.settings(server.createBucket(), "threefold/nas");
        Target target = targets.addS3(name, bucket, Target.NIGHTLY, 0, "admin");
        targets.syncNow(target.id(), false, "admin", null, p -> { });
        return targets.get(target.id());
    }

    Job awaitEnd(Job job) throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            Job now = jobs.find(job.id()).orElseThrow();
            if (now.done()) {
                return now;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + job.id() + " did not end in 60 s");
    }

    @Override
    public void close() throws Exception {
        jobs.close();
        engine.close();
    }
}
