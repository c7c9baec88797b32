package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.engine.Engine;
import app.threefold.overlay.DeviceSessions;
import app.threefold.repository.TestTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Two devices of one household send the same new file at the same time: the appliance keeps one copy. */
class SftpSharedDedupTest extends LaptopSftpTest {
    private static final String DESKTOP_PW = "desktop password";

    private long packBytes() throws IOException {
        try (Stream<Path> walk = Files.walk(Engine.repositoryDir(f.dataDir).resolve("data"))) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void twoDevicesUploadingTheSameNewFileAtOnceStoreItOnceAndBothRestoreIt() throws Exception {
        f.devices.create("desktop", DESKTOP_PW.toCharArray(), null);
        byte[] video = TestTrees.bytes(new Random(11), 40 << 20);
        Path file = tmp.resolve("video.bin");
        Files.write(file, video);
        long before = packBytes();

        // The test holds both sessions open until both uploads are stored, so that neither session's end
        // (which indexes what it stored) comes before the other has looked for the file's chunks.
        try (DeviceSessions.Lease laptop = f.sessions.open("laptop"); DeviceSessions.Lease desktop = f.sessions.open("desktop")) {
            String batch = "put " + file + " /video.bin\n";
            CompletableFuture<SftpFixture.Run> a = CompletableFuture.supplyAsync(() -> sftp("laptop", PW, batch));
            CompletableFuture<SftpFixture.Run> b = CompletableFuture.supplyAsync(() -> sftp("desktop", DESKTOP_PW, batch));
            assertThat(a.join().exit()).as(a.join().output()).isZero();
            assertThat(b.join().exit()).as(b.join().output()).isZero();
            awaitStored(laptop, desktop, video.length);
        }
        f.awaitSnapshots("laptop", 1);
        f.awaitSnapshots("desktop", 1);

        assertThat(packBytes() - before).as("the repository grew by one copy of the file")
                .isBetween((long) video.length, video.length + video.length / 20L);
        assertThat(f.restic().ok("check", "--read-data")).contains("no errors were found");
        for (String device : new String[] {"laptop", "desktop"}) {
            Path restored = tmp.resolve("restored-" + device);
            f.restic().ok("restore", "latest", "--host", device, "--target", restored.toString());
            assertThat(Files.readAllBytes(restored.resolve("video.bin"))).as(device).isEqualTo(video);
        }
    }

    private SftpFixture.Run sftp(String device, String password, String batch) {
        try {
            return f.sftp(device, password, batch);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Until the two sessions together have stored at least one copy and stored nothing more for two seconds. */
    private static void awaitStored(DeviceSessions.Lease a, DeviceSessions.Lease b, long size) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        long last = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long stored = a.overlay().bytesAdded() + b.overlay().bytesAdded();
            if (stored != last) {
                last = stored;
                since = System.nanoTime();
            } else if (stored >= size && System.nanoTime() - since > 2_000_000_000L) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the uploads were not stored within two minutes (stored " + last + " bytes)");
    }
}
