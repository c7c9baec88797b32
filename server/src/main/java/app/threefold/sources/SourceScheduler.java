package app.threefold.sources;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the backups of local sources when they are due. It looks once per {@code tick} (the
 * first time one tick after {@link #start}), so a run missed while the appliance was off starts
 * about a tick after start-up, once. The runs themselves are jobs, run one at a time.
 */
public final class SourceScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SourceScheduler.class);
    /** How often the appliance looks for due sources: a daily run starts at most this late. */
    public static final Duration TICK = Duration.ofMinutes(1);

    /**
     * Other work started on a schedule (mirror syncs), so that one timer, in one place, starts
     * everything that runs by the clock.
     */
    public interface Duty {
        /** Whether the work can run at all yet (the appliance has a repository). */
        boolean ready();

        /** Starts what is due at {@code now} (queues its jobs); must return quickly. */
        void startDue(Instant now);
    }

    private final LocalSources sources;
    private final java.util.List<Duty> duties;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final Duration tick;
    private ScheduledFuture<?> task;

    /** {@code timer} is the scheduler's own; {@link #close} shuts it down. */
    public SourceScheduler(LocalSources sources, ScheduledExecutorService timer, Clock clock, Duration tick) {
        this(sources, java.util.List.of(), timer, clock, tick);
    }

    /** As the other constructor, also starting {@code duties} when they are due. */
    public SourceScheduler(LocalSources sources, java.util.List<Duty> duties, ScheduledExecutorService timer, Clock clock,
                           Duration tick) {
        this.sources = Objects.requireNonNull(sources);
        this.duties = java.util.List.copyOf(duties);
        this.timer = Objects.requireNonNull(timer);
        this.clock = Objects.requireNonNull(clock);
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick must be positive: " + tick);
        }
        this.tick = tick;
    }

    public synchronized SourceScheduler start() {
        if (task != null) {
            throw new IllegalStateException("the scheduler runs already");
        }
        long millis = tick.toMillis();
        task = timer.scheduleWithFixedDelay(this::startDue, millis, millis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Queues every due source's backup, then the duties' work; a failure is logged and the next tick tries again. */
    void startDue() {
        try {
            if (sources.ready()) {
                Instant now = clock.instant();
                for (LocalSource due : sources.due(now)) {
                    log.info("Local source {} is due ({}); starting its backup", due.name(), due.schedule().describe());
                    sources.start(due, LocalSources.SCHEDULER);
                }
            }
        } catch (RuntimeException e) {
            // An exception would cancel the periodic task for good; one bad tick must not end the schedule.
            log.error("Starting due local source backups failed; trying again in {}", tick, e);
        }
        for (Duty duty : duties) {
            try {
                if (duty.ready()) {
                    duty.startDue(clock.instant());
                }
            } catch (RuntimeException e) {
                log.error("Starting due scheduled work failed; trying again in {}", tick, e);
            }
        }
    }

    /** Stops looking for due sources; a backup already queued or running is the jobs' to finish or stop. */
    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
            log.warn("The local source scheduler did not stop within 10 s");
        }
    }
}
