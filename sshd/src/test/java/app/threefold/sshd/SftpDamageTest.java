package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.engine.Engine;
import app.threefold.repository.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A read that meets damaged data says so, instead of a bare failure the device owner cannot act on. */
class SftpDamageTest extends LaptopSftpTest {

    @Test
    void readingAFileWhosePackIsDamagedSaysTheRepositoryIsDamaged() throws Exception {
        TestTrees.write(tmp.resolve("photo.bin"), TestTrees.bytes(new Random(7), 300_000));
        assertThat(f.sftp("laptop", PW, "put " + tmp.resolve("photo.bin") + " /photo.bin\n").exit()).isZero();
        f.awaitSnapshots("laptop", 1);
        f.awaitIdle();
        List<Path> packs;
        try (Stream<Path> files = Files.walk(Engine.repositoryDir(f.dataDir).resolve("data"))) {
            // The file's data pack only (300 KB of random bytes; tree packs are a few hundred bytes):
            // the device can still list its folders, and meets the damage when it reads the file.
            packs = files.filter(Files::isRegularFile).filter(p -> p.toFile().length() > 200_000).toList();
        }
        assertThat(packs).hasSize(1);
        for (Path pack : packs) {
            byte[] bytes = Files.readAllBytes(pack);
            for (int i = 0; i < bytes.length; i += 8) {
                bytes[i] ^= 0x55;
            }
            pack.toFile().setWritable(true);
            Files.write(pack, bytes);
        }

        SftpFixture.Run copy = f.rclone("laptop", PW, "copyto", "--retries", "1", "--low-level-retries", "1",
                "tf:photo.bin", tmp.resolve("back.bin").toString());

        assertThat(copy.exit()).isNotZero();
        assertThat(copy.output()).contains("the appliance found damaged data in its repository; ask its admin to run `threefold check`");
    }
}
