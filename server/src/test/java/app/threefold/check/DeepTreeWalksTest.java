package app.threefold.check;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.browse.SnapshotPath;
import app.threefold.browse.SnapshotRoot;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.engine.Engine;
import app.threefold.ingest.IngestSession;
import app.threefold.repository.ResticCli;
import app.threefold.restore.Restorer;
import app.threefold.verify.RestoreProof;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot about as deep as a file system allows: backing it up, checking it, its restore test,
 * restoring it and walking it for a zip must not need a stack that grows with its depth. Each runs on a thread with a
 * small stack (256 KiB, a worker's -Xss on a small NAS), where a recursive walk overflows.
 */
@ExtendWith(TestDatabase.class)
class DeepTreeWalksTest {
    static final String RECOVERY = "recovery kit password";
    /** "/d" per level: 1,900 levels are 3,800 bytes, so the folder fits on disk below a temporary folder. */
    static final int LEVELS = 1900;
    @TempDir
    Path tmp;

    @Test
    void aTreeNineteenHundredFoldersDeepIsBackedUpCheckedRestoreTestedAndRestored(Catalog catalog) throws Exception {
        Path source = tmp.resolve("s");
        Path deepest = source.resolve("d/".repeat(LEVELS));
        Files.createDirectories(deepest);
        Files.writeString(deepest.resolve("bottom.txt"), "at the bottom");
        Files.writeString(source.resolve("d/".repeat(LEVELS / 2)).resolve("middle.txt"), "half way down");
        Engine engine = Engine.create(tmp.resolve("data"), RECOVERY.toCharArray(), catalog, Clock.systemUTC());
        try {
            IngestSession.Result backup = onSmallStack(() -> engine.backupFolder("nas", source));
            assertThat(backup.stats().dirs()).isGreaterThanOrEqualTo(LEVELS);

            Checker.Report report = onSmallStack(() -> new Checker(engine.repository(), engine.workers()).check(true));
            assertThat(report.errors()).isEmpty();
            assertThat(report.affected()).isEmpty();

            RestoreProof.Result test = onSmallStack(() -> new RestoreProof(engine.repository(), id -> Optional.empty(),
                    engine.workers(), Clock.systemUTC()).run(backup.snapshot(), p -> { }));
            assertThat(test.passed()).isTrue();
            assertThat(test.files()).isEqualTo(2);

            Path target = tmp.resolve("r");
            Restorer.Summary restored = onSmallStack(() -> new Restorer(engine.repository(), engine.workers())
                    .restore(backup.snapshot().tree(), "", target));
            assertThat(restored.files()).isEqualTo(2);
            assertThat(target.resolve("d/".repeat(LEVELS)).resolve("bottom.txt")).hasContent("at the bottom");
            assertThat(target.resolve("d/".repeat(LEVELS / 2)).resolve("middle.txt")).hasContent("half way down");

            // The panel's zip of the whole snapshot walks it the same way.
            long[] zipped = {0};
            onSmallStack(() -> engine.files().walk(new SnapshotRoot(backup.snapshot().tree()), List.of(SnapshotPath.ROOT),
                    "", (prefix, e, content) -> {
                        zipped[0] += e.file() ? content.size() : 0;
                        return prefix;
                    }));
            assertThat(zipped[0]).isEqualTo("at the bottom".length() + "half way down".length());
        } finally {
            engine.close();
            // rm walks relative to open folders; JUnit's clean-up resolves every folder's real path (quadratic here).
            new ProcessBuilder("rm", "-rf", source.toString(), tmp.resolve("r").toString()).start().waitFor(5, TimeUnit.MINUTES);
        }
        new ResticCli(Engine.repositoryDir(tmp.resolve("data")), RECOVERY).ok("check", "--read-data");
    }

    static <T> T onSmallStack(Callable<T> work) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(null, () -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "small-stack", 256 * 1024);
        t.start();
        return result.get(5, TimeUnit.MINUTES);
    }
}
