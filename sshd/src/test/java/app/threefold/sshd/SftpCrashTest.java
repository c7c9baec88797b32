package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A client that dies mid-upload: the files it finished land, the one it was writing keeps its old version. */
class SftpCrashTest extends LaptopSftpTest {

    private boolean bigUploadUnderway() throws Exception {
        try (Stream<Path> s = Files.walk(f.dataDir.resolve("sftp-sessions"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("spool-")).anyMatch(p -> p.toFile().length() > 512 * 1024);
        }
    }

    @Test
    void aClientKilledMidUploadLeavesThePreviousVersionAndCommitsTheCompletedFiles() throws Exception {
        byte[] v1 = TestTrees.bytes(new Random(1), 3 << 20);
        byte[] v2 = TestTrees.bytes(new Random(2), 8 << 20);
        TestTrees.write(tmp.resolve("v1/big.bin"), v1);
        TestTrees.write(tmp.resolve("v2/big.bin"), v2);
        TestTrees.write(tmp.resolve("small.txt"), "finished before the crash\n".getBytes());
        assertThat(f.sftp("laptop", PW, "put " + tmp.resolve("v1/big.bin") + " /big.bin\n").exit()).isZero();
        f.awaitSnapshots("laptop", 1);

        // 2000 kbit/s: the 8 MiB upload takes half a minute, time enough to kill the client in the middle.
        List<String> cmd = f.sftpCommand("laptop", PW, "-l", "2000");
        Process client = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("client.log").toFile()).start();
        client.getOutputStream().write(("put " + tmp.resolve("small.txt") + " /small.txt\nput " + tmp.resolve("v2/big.bin") + " /big.bin\n").getBytes());
        client.getOutputStream().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!bigUploadUnderway()) {
            assertThat(System.nanoTime()).as("the upload of big.bin never started").isLessThan(deadline);
            assertThat(client.isAlive()).as("the client ended before it could be killed").isTrue();
            Thread.sleep(20);
        }
        client.descendants().forEach(ProcessHandle::destroyForcibly);
        client.destroyForcibly().waitFor();

        f.awaitSnapshots("laptop", 2);
        Path restored = tmp.resolve("restored");
        f.restic().ok("restore", "latest", "--target", restored.toString());
        assertThat(Files.readAllBytes(restored.resolve("big.bin"))).isEqualTo(v1);
        assertThat(Files.readString(restored.resolve("small.txt"))).isEqualTo("finished before the crash\n");
        assertThat(f.restic().ok("check", "--read-data")).contains("no errors were found");
    }
}
