package app.threefold.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.backend.LocalBackend;
import app.threefold.chunker.ChunkerParams;
import app.threefold.crypto.KeyFile;
import app.threefold.format.FormatException;
import app.threefold.index.MemoryIndex;
import app.threefold.ingest.Backups;
import app.threefold.ingest.ContentDigests;
import app.threefold.repository.Repository;
import app.threefold.repository.TestTrees;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions list snapshot files from memory once read; a check and a fresh load read the disk, so
 * damage done since still shows.
 */
class CheckerTest {
    @TempDir
    Path tmp;

    @Test
    void aSnapshotFileDamagedAfterItWasListedIsReportedByCheckWithoutStoppingIt() throws Exception {
        Path src = tmp.resolve("src");
        TestTrees.write(src.resolve("a.txt"), TestTrees.bytes(new Random(3), 5000));
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            Repository repo = Repository.create(LocalBackend.create(tmp.resolve("repo")), "password".toCharArray(),
                    new KeyFile.Params(1024, 8, 1), new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
            Backups backups = new Backups(repo, workers, ContentDigests.NONE, Clock.systemUTC(), ChunkerParams.DEFAULT);
            Snapshot first = backups.backupFolder("pc", src).snapshot();
            Snapshot second = backups.backupFolder("pc", src).snapshot();
            Snapshots snapshots = new Snapshots(repo);
            assertThat(snapshots.list("pc")).extracting(Snapshot::id).containsExactly(first.id(), second.id());

            Path file = tmp.resolve("repo/snapshots").resolve(first.id().hex());
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x01;
            file.toFile().setWritable(true);
            Files.write(file, bytes);

            assertThat(snapshots.list("pc")).extracting(Snapshot::id).containsExactly(first.id(), second.id());
            assertThatThrownBy(() -> snapshots.load(first.id())).isInstanceOf(FormatException.class);
            Checker.Report report = new Checker(repo, workers).check(true);
            assertThat(report.healthy()).isFalse();
            assertThat(report.errors()).anySatisfy(e -> assertThat(e).contains("snapshot " + first.id().shortHex()));
            assertThat(report.snapshots()).isEqualTo(1);
        } finally {
            workers.shutdownNow();
        }
    }
}
