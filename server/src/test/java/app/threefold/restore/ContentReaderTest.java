package app.threefold.restore;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.LocalBackend;
import app.threefold.chunker.ChunkerParams;
import app.threefold.crypto.KeyFile;
import app.threefold.index.MemoryIndex;
import app.threefold.ingest.Backups;
import app.threefold.ingest.ContentDigests;
import app.threefold.ingest.IngestSession;
import app.threefold.repository.Repository;
import app.threefold.repository.TestTrees;
import app.threefold.tree.Node;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Random access into a stored file, as HTTP range requests and SFTP reads use it. */
class ContentReaderTest {
    @TempDir
    Path tmp;

    @Test
    void anyRangeOfAMultiBlobFileReadsBackExactly() throws Exception {
        byte[] video = TestTrees.bytes(new Random(21), 5 * 1024 * 1024 + 777);
        Path src = tmp.resolve("src");
        TestTrees.write(src.resolve("video.mp4"), video);
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            Repository repo = Repository.create(LocalBackend.create(tmp.resolve("repo")), "password".toCharArray(),
                    new KeyFile.Params(1024, 8, 1), new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
            IngestSession.Result r = new Backups(repo, workers, ContentDigests.NONE, Clock.systemUTC(), ChunkerParams.DEFAULT)
                    .backupFolder("tv", src);
            Node node = new Restorer(repo, workers).resolve(r.snapshot().tree(), "video.mp4");
            assertThat(node.content()).hasSizeGreaterThan(10);

            ContentReader reader = new ContentReader(repo, node.content());
            assertThat(reader.size()).isEqualTo(video.length);
            Random random = new Random(22);
            for (int i = 0; i < 40; i++) {
                int offset = random.nextInt(video.length);
                int length = random.nextInt(600_000);
                try (InputStream in = reader.stream(offset, length)) {
                    byte[] got = in.readAllBytes();
                    assertThat(got).isEqualTo(Arrays.copyOfRange(video, offset, Math.min(video.length, offset + length)));
                }
            }
            try (InputStream tail = reader.stream(video.length - 10, -1)) {
                assertThat(tail.readAllBytes()).isEqualTo(Arrays.copyOfRange(video, video.length - 10, video.length));
            }
            assertThat(reader.read(video.length, new byte[10], 0, 10)).isEqualTo(-1);
        } finally {
            workers.shutdownNow();
        }
    }
}
