package app.threefold.prune;

import app.threefold.audit.AuditLog;
import app.threefold.engine.Engine;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.repository.RepositoryException;
import app.threefold.settings.Settings;
import app.threefold.sources.SourceScheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes of the appliance's repository as jobs: on demand ({@link #start}) and weekly by default
 * ({@link #duty}, started by the one scheduler). The settings {@code prune.weekly} ("true" or
 * "false", default true) and {@code prune.repackPercent} (0–100, default 25) decide how; the last
 * scheduled run is kept in {@code prune.lastRun}.
 */
public final class Prunes {
    private static final Logger log = LoggerFactory.getLogger(Prunes.class);
    /** The job kind of a prune. */
    public static final String KIND = "prune";
    public static final String SCHEDULER = "scheduler";
    /** What a prune job names in place of a device: it concerns the whole repository, the local copy. */
    public static final String DEVICE = "repository";
    static final String COPY = "local";
    static final String WEEKLY = "prune.weekly";
    static final String REPACK_PERCENT = "prune.repackPercent";
    static final String LAST_RUN = "prune.lastRun";
    static final Duration EVERY = Duration.ofDays(7);

    private final Supplier<Optional<Engine>> engine;
    private final Jobs jobs;
    private final Settings settings;
    private final AuditLog audit;
    private final Clock clock;
    private final BeforePrune before;
    private final Duration patience;

    public Prunes(Supplier<Optional<Engine>> engine, Jobs jobs, Settings settings, AuditLog audit, Clock clock, BeforePrune before,
                  Duration patience) {
        this.engine = engine;
        this.jobs = jobs;
        this.settings = settings;
        this.audit = audit;
        this.clock = clock;
        this.before = before;
        this.patience = patience;
    }

    public Prunes(Supplier<Optional<Engine>> engine, Jobs jobs, Settings settings, AuditLog audit, Clock clock) {
        this(engine, jobs, settings, audit, clock, BeforePrune.NOTHING, Prune.DEFAULT_PATIENCE);
    }

    /** The options the settings ask for. */
    public Prune.Options options(boolean dryRun) {
        String percent = settings.get(REPACK_PERCENT).orElse("25");
        double threshold;
        try {
            threshold = Double.parseDouble(percent) / 100;
        } catch (NumberFormatException e) {
            throw new PruneSettingException("the setting " + REPACK_PERCENT + " is '" + percent + "'; set a number from 0 to 100");
        }
        return new Prune.Options(dryRun, threshold, patience);
    }

    /** Whether the weekly prune is on (it is unless turned off). */
    public boolean weekly() {
        return !"false".equals(settings.get(WEEKLY).orElse("true"));
    }

    public void setWeekly(boolean on) {
        settings.put(WEEKLY, Boolean.toString(on));
    }

    /** Queues a prune now; its result is {@link PruneResult#toMap()}. */
    public Job start(boolean dryRun, String actor) {
        Engine e = engine.get().orElseThrow(() -> new RepositoryException(app.threefold.ThreefoldException.Kind.UNAVAILABLE,
                "there is no repository yet; finish the setup first"));
        return submit(e, dryRun, actor, false);
    }

    private Job submit(Engine e, boolean dryRun, String actor, boolean scheduled) {
        Prune.Options options = options(dryRun);
        return jobs.submit(Jobs.Lane.WRITES, KIND, DEVICE, COPY, actor, progress -> {
            Prune.Progress p = progress::report;
            if (scheduled) {
                p.report(0, "running the retention policies before the prune");
                before.run(p);
            }
            PruneResult result = new Prune(e.repository(), e.catalogIndex(), e.workers(), clock).run(options, p);
            if (audit != null && !dryRun) {
                audit.record(actor, "prune", result.toMap());
            }
            return result.toMap();
        });
    }

    /** The weekly prune for the scheduler: due a week after the last one (the first one a week after the appliance first looks). */
    public SourceScheduler.Duty duty() {
        return new SourceScheduler.Duty() {
            @Override
            public boolean ready() {
                return engine.get().isPresent() && weekly();
            }

            @Override
            public void startDue(Instant now) {
                Optional<Instant> last = settings.get(LAST_RUN).map(Instant::parse);
                if (last.isEmpty()) {
                    settings.put(LAST_RUN, now.toString());
                    return;
                }
                if (now.isBefore(last.get().plus(EVERY))) {
                    return;
                }
                settings.put(LAST_RUN, now.toString());
                log.info("The weekly prune is due; starting it");
                engine.get().ifPresent(e -> submit(e, false, SCHEDULER, true));
            }
        };
    }

    /** The next weekly run, if the prune runs weekly and has a first mark. */
    public Optional<Instant> nextRun() {
        if (!weekly()) {
            return Optional.empty();
        }
        return settings.get(LAST_RUN).map(Instant::parse).map(t -> t.plus(EVERY));
    }
}
