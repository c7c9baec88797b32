package app.threefold.proof;

import app.threefold.engine.Engine;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.mirror.Target;
import app.threefold.mirror.Targets;
import app.threefold.snapshot.SnapshotRow;
import app.threefold.sources.SourceScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts restore tests and scrubs when they are due, from the one scheduler: each device on each
 * copy (the NAS and every target that synced) every {@link RestoreTestLog.Rhythm#intervalDays()}
 * days, each copy's scrub every {@link Scrubs#INTERVAL}. Spread out: at most one of this work runs
 * at a time (the most overdue first), so a month's tests follow each other instead of all starting
 * on the same night and sharing the disk and the links. A pair never tested waits
 * {@link #FIRST_TEST_AFTER} from when the schedule first sees it (the first backups settle), a copy
 * never scrubbed {@link #FIRST_SCRUB_AFTER}.
 */
public final class ProofSchedule implements SourceScheduler.Duty {

    private static final Logger log = LoggerFactory.getLogger(ProofSchedule.class);
    public static final String SCHEDULER = "scheduler";
    static final Duration FIRST_TEST_AFTER = Duration.ofHours(1);
    static final Duration FIRST_SCRUB_AFTER = Duration.ofDays(1);

    private final Supplier<Optional<Engine>> engine;
    private final Targets targets;
    private final Jobs jobs;
    private final RestoreProofs restoreTests;
    private final RestoreTestLog results;
    private final Scrubs scrubs;
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    private volatile Long running;

    public ProofSchedule(Supplier<Optional<Engine>> engine, Targets targets, Jobs jobs, RestoreProofs restoreTests,
                         RestoreTestLog log, Scrubs scrubs) {
        this.engine = engine;
        this.targets = targets;
        this.jobs = jobs;
        this.restoreTests = restoreTests;
        this.results = log;
        this.scrubs = scrubs;
    }

    @Override
    public boolean ready() {
        return engine.get().isPresent();
    }

    private record Due(Instant at, String what, Runnable start) {
    }

    @Override
    public void startDue(Instant now) {
        Long current = running;
        if (current != null && jobs.find(current).map(j -> !j.done()).orElse(false)) {
            return;
        }
        List<String> copies = new ArrayList<>(List.of(RestoreProofs.LOCAL));
        Map<String, Instant> synced = new java.util.HashMap<>();
        for (Target t : targets.list()) {
            if (t.lastGoodSync() != null) {
                copies.add(t.id().toString());
                synced.put(t.id().toString(), t.lastGoodSync());
            }
        }
        List<Due> due = new ArrayList<>();
        Engine e = engine.get().orElseThrow();
        for (SnapshotRow latest : e.catalogSnapshots().latestPerDevice()) {
            String device = latest.device();
            Duration interval = results.rhythm(device).interval();
            for (String copy : copies) {
                Optional<Instant> last = results.lastRun(device, copy);
                // A device new since a copy's last good sync is not there yet: its first test on that
                // copy waits for the next sync instead of failing for a copy that is merely behind.
                if (last.isEmpty() && synced.containsKey(copy) && synced.get(copy).isBefore(latest.time())) {
                    continue;
                }
                Instant at = last.map(t -> t.plus(interval))
                        .orElseGet(() -> firstSeen.computeIfAbsent("test " + device + " " + copy, k -> now).plus(FIRST_TEST_AFTER));
                due.add(new Due(at, "restore test of " + device + " on copy " + copy,
                        () -> running = restoreTests.start(device, copy, SCHEDULER).id()));
            }
        }
        for (String copy : copies) {
            Instant at = scrubs.lastRun(copy).map(t -> t.plus(Scrubs.INTERVAL))
                    .orElseGet(() -> firstSeen.computeIfAbsent("scrub " + copy, k -> now).plus(FIRST_SCRUB_AFTER));
            due.add(new Due(at, "scrub of copy " + copy, () -> {
                Job job = scrubs.start(copy, SCHEDULER);
                running = job.id();
            }));
        }
        due.stream().filter(d -> !d.at().isAfter(now)).min(Comparator.comparing(Due::at)).ifPresent(d -> {
            log.info("Starting the {}, due since {}", d.what(), d.at());
            d.start().run();
        });
    }
}
