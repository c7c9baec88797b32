package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceLockTest {

    @TempDir
    Path tmp;

    @Test
    void aDataDirectoryThreefoldCreatesIsTheOwnersAloneWhateverTheUmask() throws Exception {
        Path dataDir = tmp.resolve("nas").resolve("threefold");

        try (InstanceLock lock = InstanceLock.acquire(dataDir)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        }
    }
}
