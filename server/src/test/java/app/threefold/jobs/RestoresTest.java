package app.threefold.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.repository.TestTrees;
import app.threefold.restore.RestoreFolders;
import app.threefold.snapshot.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Restores into NAS folders as jobs, on a real engine and catalog. */
@ExtendWith(TestDatabase.class)
class RestoresTest {

    @TempDir
    Path tmp;

    /**
     * The engine's restore pool is sized to the cores and runs at normal priority, apart from the
     * storing pool; a restore that ran its tree walk on the JVM's common pool would compete with
     * whatever else uses that pool and ignore the engine's sizing.
     */
    @Test
    void aRestoreRunsOnTheEnginesRestorePoolAndWaitsForAFreeWorkerThere(Catalog catalog) throws Exception {
        Clock clock = Clock.systemUTC();
        Path src = tmp.resolve("src");
        for (int i = 0; i < 8; i++) {
            TestTrees.write(src.resolve("photos/" + i + ".jpg"), ("picture " + i).repeat(1000).getBytes());
        }
        Path share = Files.createDirectories(tmp.resolve("share"));
        AuditLog audit = new AuditLog(catalog.jdbi(), clock);
        RestoreFolders folders = new RestoreFolders(catalog.jdbi(), audit, List::of, tmp.resolve("data"), clock);
        folders.replace(List.of(share.toString()), "alice");

        try (EngineHolder holder = new EngineHolder(Engine.create(tmp.resolve("data"), "recovery password 123".toCharArray(),
                catalog, clock)); Jobs jobs = new Jobs(catalog.jdbi(), clock)) {
            Engine engine = holder.get().orElseThrow();
            Snapshot snapshot = engine.backupFolder("laptop", src).snapshot();
            ThreadPoolExecutor pool = (ThreadPoolExecutor) engine.workers();
            int size = pool.getMaximumPoolSize();
            List<CountDownLatch> releases = new ArrayList<>();
            CountDownLatch busy = new CountDownLatch(size);
            for (int i = 0; i < size; i++) {
                CountDownLatch release = new CountDownLatch(1);
                releases.add(release);
                pool.execute(() -> {
                    busy.countDown();
                    awaitQuietly(release);
                });
            }
            assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
            Path target = share.resolve("restored");
            Set<String> restoringThreads = new TreeSet<>();
            try {
                Job job = new Restores(jobs, holder, audit, folders).start("laptop", snapshot.tree(), "/", target.toString(), "alice");

                // Every restore worker busy: the restore waits its turn instead of starting elsewhere.
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                while (System.nanoTime() < until) {
                    restoringThreads.addAll(threadsRestoring());
                    Thread.sleep(5);
                }
                assertThat(restoringThreads).as("threads restoring while the restore pool is busy").isEmpty();
                assertThat(target).doesNotExist();

                // One worker free: the restore takes it, and waits there for a second one to write the files.
                releases.getFirst().countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (restoringThreads.isEmpty() && System.nanoTime() < deadline) {
                    restoringThreads.addAll(threadsRestoring());
                    Thread.sleep(5);
                }
                releases.forEach(CountDownLatch::countDown);

                Job done = awaitEnd(jobs, job.id());
                assertThat(done.state()).as(String.valueOf(done.error())).isEqualTo(Job.State.SUCCEEDED);
                assertThat(((Number) done.result().get("files")).longValue()).isEqualTo(8);
            } finally {
                releases.forEach(CountDownLatch::countDown);
            }
            assertThat(restoringThreads).isNotEmpty().allMatch(name -> name.startsWith("engine-"), "a thread of the engine's restore pool");
            assertThat(target.resolve("photos/7.jpg")).hasContent("picture 7".repeat(1000));
        }
    }

    /** Names of the threads now inside {@code Restorer.restore}. */
    private static Set<String> threadsRestoring() {
        Set<String> names = new TreeSet<>();
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement frame : t.getValue()) {
                if (frame.getClassName().equals("app.threefold.restore.Restorer") && frame.getMethodName().equals("restore")) {
                    names.add(t.getKey().getName());
                    break;
                }
            }
        }
        return names;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Job awaitEnd(Jobs jobs, long id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Job j = jobs.find(id).orElseThrow();
            if (j.done()) {
                return j;
            }
            assertThat(System.nanoTime()).as("job %d ends", id).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
