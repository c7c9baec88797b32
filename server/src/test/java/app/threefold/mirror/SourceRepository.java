package app.threefold.mirror;

import app.threefold.backend.LocalBackend;
import app.threefold.chunker.ChunkerParams;
import app.threefold.crypto.KeyFile;
import app.threefold.index.MemoryIndex;
import app.threefold.ingest.Backups;
import app.threefold.ingest.ContentDigests;
import app.threefold.repository.Repository;
import app.threefold.repository.TestTrees;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A local repository to mirror: an awkward tree plus incompressible files, so several packs, index files and snapshots. */
record SourceRepository(Path files, Path repository, LocalBackend backend) {

    static final String PASSWORD = "mirror test password";
    static final KeyFile.Params FAST_KDF = new KeyFile.Params(1024, 8, 1);

    /** {@code largeMiB} of random data beside the awkward tree; packs are 16 MiB, so 40 gives three. */
    static SourceRepository create(Path dir, long seed, int largeMiB) throws IOException {
        Path files = TestTrees.awkward(dir.resolve("files"), seed);
        TestTrees.write(files.resolve("videos/clip.bin"), TestTrees.bytes(new Random(seed), largeMiB << 20));
        Path repo = dir.resolve("repository");
        LocalBackend backend = LocalBackend.create(repo);
        Repository repository = Repository.create(backend, PASSWORD.toCharArray(), FAST_KDF, new MemoryIndex(),
                new SecureRandom(), Clock.systemUTC());
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            new Backups(repository, workers, ContentDigests.NONE, Clock.systemUTC(), ChunkerParams.DEFAULT)
                    .backupFolder("laptop", files);
        } finally {
            workers.shutdownNow();
        }
        return new SourceRepository(files, repo, backend);
    }

    /** Adds one more snapshot with a new file: new packs, a new index file and a new snapshot. */
    void backupAgain(long seed) throws IOException {
        TestTrees.write(files.resolve("new/more.bin"), TestTrees.bytes(new Random(seed), 3 << 20));
        Repository repository = Repository.open(backend, PASSWORD.toCharArray(), new MemoryIndex(), new SecureRandom());
        repository.syncIndex();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            new Backups(repository, workers, ContentDigests.NONE, Clock.systemUTC(), ChunkerParams.DEFAULT)
                    .backupFolder("laptop", files);
        } finally {
            workers.shutdownNow();
        }
    }
}
