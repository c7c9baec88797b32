package app.threefold.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestDatabase.class)
class JobsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    private Catalog catalog;
    private Jobs jobs;

    @BeforeEach
    void start(Catalog catalog) {
        this.catalog = catalog;
        jobs = new Jobs(catalog.jdbi(), CLOCK);
    }

    @AfterEach
    void stop() throws InterruptedException {
        jobs.close();
    }

    @Test
    void aJobReportsProgressToListenersAndItsResultOutlivesTheRunner() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Job queued = jobs.submit("restore-test", "laptop", "local", "alice", progress -> {
            progress.report(0.5, "half way");
            release.await(10, TimeUnit.SECONDS);
            return Map.of("verdict", "passed", "files", 3);
        });
        List<Job> seen = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        jobs.listen(queued.id(), j -> {
            seen.add(j);
            if (j.done()) {
                ended.countDown();
            }
        });
        release.countDown();
        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(seen.getLast().state()).isEqualTo(Job.State.SUCCEEDED);
        assertThat(seen).extracting(Job::state).contains(Job.State.RUNNING);
        jobs.close();
        Jobs reopened = new Jobs(catalog.jdbi(), CLOCK);
        Job stored = reopened.find(queued.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(Job.State.SUCCEEDED);
        assertThat(stored.result()).containsEntry("verdict", "passed").containsEntry("files", 3);
        assertThat(reopened.history("restore-test", "laptop", 10)).extracting(Job::id).containsExactly(queued.id());
        assertThat(reopened.history("restore-test", "phone", 10)).isEmpty();
        reopened.close();
    }

    @Test
    void aRestoreDoesNotWaitBehindABackupButBackupsWaitForEachOther() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Job backup = jobs.submit(Jobs.Lane.WRITES, "backup", "photo-share", "local", "scheduler", progress -> {
            release.await(10, TimeUnit.SECONDS);
            return Map.of();
        });
        Job second = jobs.submit(Jobs.Lane.WRITES, "backup", "music", "local", "scheduler", progress -> Map.of());
        Job restore = jobs.submit("restore", "laptop", "local", "alice", progress -> Map.of("files", 1));
        try {
            await(restore.id(), Job.State.SUCCEEDED);
            assertThat(jobs.find(backup.id()).orElseThrow().state()).isEqualTo(Job.State.RUNNING);
            assertThat(jobs.find(second.id()).orElseThrow().state()).isEqualTo(Job.State.QUEUED);
        } finally {
            release.countDown();
        }
        await(second.id(), Job.State.SUCCEEDED);
    }

    private void await(long id, Job.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (jobs.find(id).orElseThrow().state() != state) {
            assertThat(System.nanoTime()).as("job %d becomes %s", id, state).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aJobThatThrowsEndsFailedWithTheMessage() throws Exception {
        Job job = jobs.submit("restore", "laptop", "local", "alice", progress -> {
            throw new IllegalStateException("the disk is full; free some space");
        });
        Job ended = awaitEnd(job.id());

        assertThat(ended.state()).isEqualTo(Job.State.FAILED);
        assertThat(ended.error()).isEqualTo("the disk is full; free some space");
        assertThat(ended.result()).isNull();
    }

    @Test
    void jobsCutOffByAStopAreMarkedFailedAtTheNextStart() throws Exception {
        catalog.jdbi().useHandle(h -> h.execute(
                "INSERT INTO jobs (kind, device, actor, state, created) VALUES ('restore-test', 'pc', 'bob', 'running', now())"));

        Jobs next = new Jobs(catalog.jdbi(), CLOCK);
        Job orphan = next.history("restore-test", "pc", 1).getFirst();
        next.close();

        assertThat(orphan.state()).isEqualTo(Job.State.FAILED);
        assertThat(orphan.error()).contains("start it again");
    }

    @Test
    void theLatestFinishedJobPerDeviceAndCopyIsTheNewest() throws Exception {
        awaitEnd(jobs.submit("restore-test", "pc", "local", "a", p -> Map.of("verdict", "passed")).id());
        long newest = awaitEnd(jobs.submit("restore-test", "pc", "local", "a", p -> Map.of("verdict", "failed")).id()).id();

        assertThat(jobs.latestFinished("restore-test")).extracting(Job::id).containsExactly(newest);
    }

    private Job awaitEnd(long id) throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(1);
        Job[] last = new Job[1];
        jobs.listen(id, j -> {
            if (j.done()) {
                last[0] = j;
                ended.countDown();
            }
        });
        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        return last[0];
    }
}
