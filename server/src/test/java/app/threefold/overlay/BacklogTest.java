package app.threefold.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BacklogTest {
    /** Its own threads: a wait left behind must not hold the common pool other tests use. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
    }

    private interface Wait {
        void run() throws InterruptedIOException;
    }

    private CompletableFuture<Void> async(Wait wait) {
        return CompletableFuture.runAsync(() -> {
            try {
                wait.run();
            } catch (InterruptedIOException e) {
                throw new CompletionException(e);
            }
        }, threads);
    }

    @Test
    void pastTheLimitStoringRunsBesideTheUploadUntilHalfTheLimitIsLeft() throws Exception {
        Backlog b = new Backlog(100, Duration.ofHours(1));
        b.wrote();
        b.add(60);
        CompletableFuture<Void> first = async(b::awaitTurn);
        Thread.sleep(100);
        assertThat(first).as("within the limit storing waits for a pause in the upload").isNotDone();
        b.add(60);
        first.get(10, TimeUnit.SECONDS); // 120 > 100: catching up
        b.read(60);
        async(b::awaitTurn).get(10, TimeUnit.SECONDS); // 60 left: still above half the limit
        b.read(10);
        CompletableFuture<Void> waiting = async(b::awaitTurn);
        Thread.sleep(100);
        assertThat(waiting).as("at half the limit the upload has its turn again").isNotDone();
        b.drain();
        waiting.get(10, TimeUnit.SECONDS);
        b.endDrain();
        CompletableFuture<Void> after = async(b::awaitTurn);
        Thread.sleep(100);
        assertThat(after).as("a drain lasts until its commit ends").isNotDone();
    }

    @Test
    void storingStartsOnceNoWriteCameForTheQuietTime() throws Exception {
        Backlog b = new Backlog(100, Duration.ofMillis(300));
        b.add(10);
        b.wrote();
        long start = System.nanoTime();
        async(b::awaitTurn).get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        b.wrote();
        CompletableFuture<Void> again = async(b::awaitTurn);
        Thread.sleep(100);
        assertThat(again).as("a new write starts the quiet time over").isNotDone();
        again.get(10, TimeUnit.SECONDS);
    }

    @Test
    void writesThatGrowAFileWaitOnlyWhileTheBacklogIsOverTheLimit() throws Exception {
        Backlog b = new Backlog(100, Duration.ZERO);
        b.add(100);
        b.awaitRoom(); // at the limit, not over it
        b.add(1);
        CompletableFuture<Void> write = async(b::awaitRoom);
        Thread.sleep(100);
        assertThat(write).isNotDone();
        b.read(1);
        write.get(10, TimeUnit.SECONDS);
    }
}
