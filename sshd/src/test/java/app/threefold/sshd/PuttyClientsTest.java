package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.TestTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * WinSCP and FileZilla speak SSH through PuTTY's code, so PuTTY's own command-line clients stand
 * in for them here: its key exchange, host key, cipher and MAC choices must meet the appliance's,
 * and its uploads must become snapshots like any other client's.
 */
class PuttyClientsTest extends LaptopSftpTest {

    /** The awkward tree without its links (PuTTY's clients skip them). */
    private Path source() throws Exception {
        Path src = TestTrees.awkward(tmp.resolve("source"), 7);
        Files.delete(src.resolve("link to notes"));
        Files.delete(src.resolve("dangling"));
        SftpFixture.wholeSeconds(src);
        return src;
    }

    /** PuTTY refuses an unknown host key in batch mode unless told its fingerprint, as a user pins it. */
    private List<String> putty(String tool, String... args) {
        List<String> cmd = new ArrayList<>(List.of(tool, "-batch", "-v", "-P", String.valueOf(f.server.port()), "-pw", PW,
                "-hostkey", f.server.hostKeyFingerprints().get("ssh-ed25519")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void psftpUploadsATreeThatBecomesASnapshotResticRestoresByteIdentical() throws Exception {
        Path src = source();
        SftpFixture.Run put = f.run(Map.of(), null, putty("psftp", "-b", batch("lcd " + tmp + "\nput -r source\n").toString(),
                "laptop@127.0.0.1").toArray(String[]::new));
        assertThat(put.exit()).as(put.output()).isZero();
        // What a WinSCP user would see negotiated: a modern key exchange and an ed25519 host key.
        assertThat(put.output()).containsIgnoringCase("curve25519").containsIgnoringCase("ed25519");
        f.awaitSnapshots("laptop", 1);

        assertThat(f.restic().ok("check", "--read-data")).contains("no errors were found");
        Path restored = tmp.resolve("restored");
        f.restic().ok("restore", "latest", "--target", restored.toString());
        // psftp keeps no times or modes: the names and bytes must match.
        assertThat(contents(restored.resolve("source"))).isEqualTo(contents(src));
    }

    @Test
    void pscpWithTimesKeptUploadsOverSftpAndASecondSessionSeesTheFirstOnesFiles() throws Exception {
        Path src = source();
        // Into an existing folder: pscp 0.78 cannot copy a folder to a new name (OpenSSH's server refuses it alike).
        SftpFixture.Run copy = f.run(Map.of(), null, putty("pscp", "-sftp", "-r", "-p", src.toString(),
                "laptop@127.0.0.1:/").toArray(String[]::new));
        assertThat(copy.exit()).as(copy.output()).isZero();
        f.awaitSnapshots("laptop", 1);

        SftpFixture.Run ls = f.run(Map.of(), null, putty("psftp", "-b", batch("ls /source/docs\n").toString(),
                "laptop@127.0.0.1").toArray(String[]::new));
        assertThat(ls.exit()).as(ls.output()).isZero();
        assertThat(ls.output()).contains("big.bin").contains("deeper");
        f.awaitSnapshots("laptop", 1);

        Path restored = tmp.resolve("restored");
        f.restic().ok("restore", "latest", "--target", restored.toString());
        assertThat(contents(restored.resolve("source"))).isEqualTo(contents(src));
        assertThat(Files.getLastModifiedTime(restored.resolve("source/docs/big.bin")))
                .isEqualTo(Files.getLastModifiedTime(src.resolve("docs/big.bin")));
    }

    private Path batch(String commands) throws IOException {
        return Files.writeString(Files.createTempFile(tmp, "batch", ".txt"), commands);
    }

    /** Relative path to file bytes (or "dir" for folders). */
    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root)).toList()) {
                out.put(root.relativize(p).toString(), Files.isDirectory(p)
                        ? "dir" : Files.size(p) + " " + java.util.Arrays.hashCode(Files.readAllBytes(p)));
            }
        }
        return out;
    }
}
