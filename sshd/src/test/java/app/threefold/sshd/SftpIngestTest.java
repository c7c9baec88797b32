package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Real clients upload to the appliance; restic judges what lands in the repository. */
class SftpIngestTest extends LaptopSftpTest {

    /** The awkward tree without its symlinks (sftp put -r and rclone skip links) and with whole-second mtimes. */
    private Path source(String name, long seed) throws Exception {
        Path src = TestTrees.awkward(tmp.resolve(name), seed);
        Files.delete(src.resolve("link to notes"));
        Files.delete(src.resolve("dangling"));
        SftpFixture.wholeSeconds(src);
        return src;
    }

    @Test
    void aTreeUploadedWithSftpBecomesASnapshotThatResticRestoresByteIdentical() throws Exception {
        Path src = source("source", 1);

        SftpFixture.Run put = f.sftp("laptop", PW, "lcd " + tmp + "\nput -rp source\n");
        assertThat(put.exit()).as(put.output()).isZero();
        f.awaitSnapshots("laptop", 1);

        assertThat(f.restic().ok("check", "--read-data")).contains("no errors were found");
        assertThat(f.restic().ok("snapshots")).contains("laptop");
        Path restored = tmp.resolve("restored");
        f.restic().ok("restore", "latest", "--target", restored.toString());
        TestTrees.assertSameTree(src, restored.resolve("source"));
    }

    @Test
    void rcloneSyncOfAnUnchangedTreeSendsNothingAndADeleteAndRenameMakeExactlyThatSnapshot() throws Exception {
        Path src = source("tree", 2);
        SftpFixture.Run first = f.rclone("laptop", PW, "copy", src.toString(), "tf:tree");
        assertThat(first.exit()).as(first.output()).isZero();
        f.awaitSnapshots("laptop", 1);

        SftpFixture.Run again = f.rclone("laptop", PW, "sync", "-v", src.toString(), "tf:tree");
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(again.output()).doesNotContain("Copied");
        f.awaitSnapshots("laptop", 1);

        Files.delete(src.resolve("empty"));
        Files.move(src.resolve("docs/big.bin"), src.resolve("docs/renamed.bin"));
        SftpFixture.Run sync = f.rclone("laptop", PW, "sync", src.toString(), "tf:tree");
        assertThat(sync.exit()).as(sync.output()).isZero();
        f.awaitSnapshots("laptop", 2);

        Path restored = tmp.resolve("restored");
        f.restic().ok("restore", "latest", "--target", restored.toString());
        assertThat(restored.resolve("tree/empty")).doesNotExist();
        assertThat(restored.resolve("tree/docs/big.bin")).doesNotExist();
        assertThat(Files.readAllBytes(restored.resolve("tree/docs/renamed.bin"))).isEqualTo(Files.readAllBytes(src.resolve("docs/renamed.bin")));
        assertThat(Files.readAllBytes(restored.resolve("tree/with space.txt"))).isEqualTo(Files.readAllBytes(src.resolve("with space.txt")));

        // The first snapshot is still there, read-only, under /.snapshots.
        SftpFixture.Run ls = f.sftp("laptop", PW, "ls -1 /.snapshots\n");
        assertThat(ls.exit()).as(ls.output()).isZero();
        String first1 = ls.output().lines().filter(l -> l.startsWith("/.snapshots/")).findFirst().orElseThrow();
        Path old = tmp.resolve("old.bin");
        SftpFixture.Run get = f.sftp("laptop", PW, "get \"" + first1 + "/tree/docs/big.bin\" " + old + "\n");
        assertThat(get.exit()).as(get.output()).isZero();
        assertThat(Files.readAllBytes(old)).isEqualTo(Files.readAllBytes(src.resolve("docs/renamed.bin")));
        f.awaitSnapshots("laptop", 2);
    }
}
