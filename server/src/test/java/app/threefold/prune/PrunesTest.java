package app.threefold.prune;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.engine.Engine;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.repository.TestTrees;
import app.threefold.settings.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The weekly prune by the appliance's clock, with its hook before it, as a job. */
@ExtendWith(TestDatabase.class)
class PrunesTest {

    @TempDir
    Path tmp;

    @Test
    void thePruneRunsWeeklyByTheClockAfterItsHookAndCanBeTurnedOff(Catalog catalog) throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
        List<String> calls = new ArrayList<>();
        try (Engine engine = Engine.create(tmp.resolve("data"), "recovery password 123".toCharArray(), catalog, clock);
             Jobs jobs = new Jobs(catalog.jdbi(), clock)) {
            TestTrees.write(tmp.resolve("src/a.bin"), TestTrees.bytes(new Random(5), 100_000));
            engine.backupFolder("laptop", tmp.resolve("src"));
            Prunes prunes = new Prunes(() -> Optional.of(engine), jobs, new Settings(catalog.jdbi()), new AuditLog(catalog.jdbi(), clock),
                    clock, progress -> calls.add("forget by every policy"), Duration.ofSeconds(5));
            var duty = prunes.duty();
            assertThat(prunes.weekly()).isTrue();
            assertThat(duty.ready()).isTrue();

            duty.startDue(clock.instant());
            assertThat(prunes.nextRun()).contains(Instant.parse("2026-03-08T10:00:00Z"));
            clock.advance(Duration.ofDays(6));
            duty.startDue(clock.instant());
            assertThat(jobs.history(Prunes.KIND, null, 10)).isEmpty();

            clock.advance(Duration.ofDays(1));
            duty.startDue(clock.instant());
            Job job = awaitLast(jobs);
            assertThat(job.state()).as(String.valueOf(job.error())).isEqualTo(Job.State.SUCCEEDED);
            assertThat(job.actor()).isEqualTo(Prunes.SCHEDULER);
            assertThat(calls).containsExactly("forget by every policy");
            assertThat(job.result()).containsKeys("bytesReclaimed", "packsRemoved", "packsRepacked", "blobsKept", "seconds");
            assertThat(prunes.nextRun()).contains(Instant.parse("2026-03-15T10:00:00Z"));

            prunes.setWeekly(false);
            assertThat(duty.ready()).isFalse();
            assertThat(prunes.nextRun()).isEmpty();
        }
    }

    private static Job awaitLast(Jobs jobs) throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            List<Job> h = jobs.history(Prunes.KIND, null, 1);
            if (!h.isEmpty() && h.get(0).done()) {
                return h.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the prune job did not end in 60 s");
    }
}
