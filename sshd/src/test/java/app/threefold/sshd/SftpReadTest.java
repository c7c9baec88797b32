package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.chunker.Chunker;
import app.threefold.chunker.ChunkerParams;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads from the latest view and from {@code /.snapshots}, by rclone (many large reads in
 * flight) and OpenSSH {@code sftp}, of sizes around every boundary a read can cross: empty, one
 * byte, the 32 KiB read size, a blob boundary of the chunker, and files of many blobs. Every byte
 * must come back. One appliance serves all tests: the upload of 200 MB is done once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SftpReadTest {
    private static final String PW = "laptop password";
    private static final int HUGE = 200 * 1000 * 1000;
    // Static: JUnit injects instance fields only after @BeforeAll, even with a shared instance.
    @TempDir
    static Path tmp;
    private SftpFixture f;
    private Path src;
    /** The snapshot holding the uploads, as a path the clients can name. */
    private String snapshot;

    @BeforeAll
    void uploadOnce() throws Exception {
        f = new SftpFixture(tmp);
        f.devices.create("laptop", PW.toCharArray(), null);
        src = Files.createDirectories(tmp.resolve("src"));
        Path files = Files.createDirectories(src.resolve("files"));
        for (Map.Entry<String, byte[]> e : smallFiles().entrySet()) {
            Files.write(files.resolve(e.getKey()), e.getValue());
        }
        writeRandom(files.resolve("12mb.bin"), 12_345_678, 12);
        writeRandom(Files.createDirectories(src.resolve("huge")).resolve("200mb.bin"), HUGE, 200);
        SftpFixture.wholeSeconds(src);

        SftpFixture.Run put = f.sftp("laptop", PW, "lcd " + src + "\nput -rp files\nput -rp huge\n");
        assertThat(put.exit()).as(put.output()).isZero();
        f.awaitSnapshots("laptop", 1);

        SftpFixture.Run ls = f.sftp("laptop", PW, "ls -1 /.snapshots\n");
        assertThat(ls.exit()).as(ls.output()).isZero();
        snapshot = ls.output().lines().filter(l -> l.startsWith("/.snapshots/")).findFirst().orElseThrow();
    }

    @AfterAll
    void stopAppliance() throws Exception {
        f.close();
    }

    /**
     * Sizes at the edges: 0, 1, rclone's 32 KiB read ± 1, and a blob boundary ± 1. The boundary
     * is where the appliance's chunker cuts a random stream first, so the file of that size is one
     * blob, and one byte more is that blob plus a blob of one byte.
     */
    private Map<String, byte[]> smallFiles() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("empty.bin", new byte[0]);
        out.put("one.bin", random(1, 1));
        for (int d = -1; d <= 1; d++) {
            out.put("32k" + sign(d) + ".bin", random(32 * 1024 + d, 32 + d));
        }
        byte[] stream = random(ChunkerParams.DEFAULT.maxSize() * 2, 7);
        int cut = new Chunker(ChunkerParams.DEFAULT, f.engine.repository().chunkerKey()).cut(stream, 0, stream.length);
        assertThat(cut).isBetween(ChunkerParams.DEFAULT.minSize() + 1, ChunkerParams.DEFAULT.maxSize());
        for (int d = -1; d <= 1; d++) {
            out.put("cut" + sign(d) + ".bin", java.util.Arrays.copyOf(stream, cut + d));
        }
        return out;
    }

    private static String sign(int d) {
        return d < 0 ? "-1" : d > 0 ? "+1" : "";
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Random bytes, which neither compress nor dedup, streamed so the 200 MB file needs no heap. */
    private static void writeRandom(Path file, long size, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= block.length) {
                r.nextBytes(block);
                out.write(block, 0, (int) Math.min(left, block.length));
            }
        }
    }

    private void assertSameFiles(Path expectedDir, Path actualDir) throws IOException {
        try (var list = Files.list(expectedDir)) {
            for (Path expected : list.toList()) {
                Path actual = actualDir.resolve(expected.getFileName().toString());
                assertThat(actual).as("%s was downloaded", actual).exists();
                assertThat(Files.size(actual)).as("size of %s", actual).isEqualTo(Files.size(expected));
                assertThat(Files.mismatch(expected, actual)).as("first differing byte of %s", actual).isEqualTo(-1L);
            }
        }
    }

    private void rcloneCopies(String remote, Path target) throws Exception {
        SftpFixture.Run copy = f.rclone("laptop", PW, "copy", "tf:" + remote, target.toString());
        assertThat(copy.exit()).as(copy.output()).isZero();
    }

    private void sftpGets(String remote, Path target) throws Exception {
        Files.createDirectories(target);
        SftpFixture.Run get = f.sftp("laptop", PW, "get -r \"" + remote + "\" \"" + target + "\"\n");
        assertThat(get.exit()).as(get.output()).isZero();
    }

    @Test
    void rcloneDownloadsEveryFileOfTheLatestViewWhole() throws Exception {
        Path out = tmp.resolve("rclone-latest");
        rcloneCopies("files", out);
        assertSameFiles(src.resolve("files"), out);
    }

    @Test
    void rcloneDownloadsEveryFileOfASnapshotWholeAnd200MegabytesToo() throws Exception {
        Path out = tmp.resolve("rclone-snapshot");
        rcloneCopies(snapshot + "/files", out.resolve("files"));
        rcloneCopies(snapshot + "/huge", out.resolve("huge"));
        assertSameFiles(src.resolve("files"), out.resolve("files"));
        assertSameFiles(src.resolve("huge"), out.resolve("huge"));
    }

    @Test
    void openSshSftpDownloadsEveryFileOfTheLatestViewWholeAnd200MegabytesToo() throws Exception {
        Path out = tmp.resolve("sftp-latest");
        sftpGets("/files", out);
        sftpGets("/huge", out);
        assertSameFiles(src.resolve("files"), out.resolve("files"));
        assertSameFiles(src.resolve("huge"), out.resolve("huge"));
    }

    @Test
    void openSshSftpDownloadsEveryFileOfASnapshotWhole() throws Exception {
        Path out = tmp.resolve("sftp-snapshot");
        sftpGets(snapshot + "/files", out);
        assertSameFiles(src.resolve("files"), out.resolve("files"));
    }

    @Test
    void lsDashLShowsTheDeviceAsOwnerAndGroup() throws Exception {
        SftpFixture.Run ls = f.sftp("laptop", PW, "ls -l /files\nls -l " + snapshot + "/files\nls -l /\n");
        assertThat(ls.exit()).as(ls.output()).isZero();
        assertThat(ls.output()).doesNotContain("Lambda").doesNotContain("$");
        Pattern twelve = Pattern.compile("(?m)^-rw\\S*\\s+1\\s+laptop\\s+laptop\\s+12345678\\s.*12mb\\.bin$");
        assertThat(twelve.matcher(ls.output()).results().count()).as(ls.output()).isEqualTo(2);
        assertThat(ls.output()).as(ls.output()).containsPattern("(?m)^d\\S*\\s+\\d+\\s+laptop\\s+laptop\\s.*files$");
    }
}
