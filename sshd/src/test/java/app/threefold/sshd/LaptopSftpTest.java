package app.threefold.sshd;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Each test gets its own running appliance with one device, "laptop", which logs in with {@link #PW}. */
abstract class LaptopSftpTest {
    static final String PW = "laptop password";
    @TempDir
    Path tmp;
    SftpFixture f;

    @BeforeEach
    void startAppliance() throws Exception {
        f = new SftpFixture(tmp);
        f.devices.create("laptop", PW.toCharArray(), null);
    }

    @AfterEach
    void stopAppliance() throws Exception {
        f.close();
    }
}
