package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Password guessing over SFTP, with the real OpenSSH client: five failures block the address and the device. */
class SftpLoginThrottleTest extends LaptopSftpTest {
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void captureLog() {
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void stopCapturing() {
        root.detachAppender(logged);
    }

    private List<String> audit(String action) {
        return f.catalog.jdbi().withHandle(h -> h.createQuery(
                        "SELECT actor || ' ' || detail::text FROM audit_log WHERE action = :a ORDER BY id")
                .bind("a", action).mapTo(String.class).list());
    }

    @Test
    void afterFiveWrongPasswordsEvenTheRightOneIsRefusedAndTheBlockIsLoggedAndAudited() throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            SftpFixture.Run wrong = f.sftp("laptop", "guess " + i, "ls\n");
            assertThat(wrong.exit()).isNotZero();
            assertThat(wrong.output()).contains("Permission denied");
        }
        System.out.printf("5 wrong passwords took %d ms%n", (System.nanoTime() - start) / 1_000_000);
        SftpFixture.Run right = f.sftp("laptop", PW, "ls /\n");
        assertThat(right.exit()).as("the right password while blocked: " + right.output()).isNotZero();
        assertThat(right.output()).contains("Permission denied");
        assertThat(audit("sftp.login-failed")).hasSize(5).allSatisfy(a -> assertThat(a).startsWith("laptop ").contains("127.0.0.1"));
        // The address is blocked for every device, and for key logins too.
        f.devices.create("desk", "desk password".toCharArray(), null);
        assertThat(f.sftp("desk", "desk password", "ls /\n").exit()).isNotZero();
        Path key = f.keygen("laptop-key");
        f.devices.addKey("laptop", Files.readString(key.resolveSibling("laptop-key.pub")));
        assertThat(f.sftpWithKey("laptop", key, "ls /\n").exit()).isNotZero();

        // Three refusals, one entry in the activity log: a guesser who goes on fills only the log file.
        assertThat(audit("sftp.login-blocked")).singleElement().asString().startsWith("laptop ").contains("127.0.0.1", "until");
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("laptop", "127.0.0.1", "blocked until"));
        f.awaitIdle();
        assertThat(f.snapshotCount("laptop")).isZero();
    }

    @Test
    void fiveWrongPasswordsForADeviceFromAnywhereBlockThatDeviceButNotOthers() throws Exception {
        f.devices.create("desk", "desk password".toCharArray(), null);
        for (int i = 0; i < 5; i++) {
            // Loopback answers from any 127.x address: each guess comes from another one.
            String from = "127.0.0." + (10 + i);
            assertThat(f.sftp("laptop", "guess " + i, "ls\n", "-o", "BindAddress=" + from).exit()).isNotZero();
        }
        SftpFixture.Run right = f.sftp("laptop", PW, "ls /\n", "-o", "BindAddress=127.0.0.20");
        assertThat(right.exit()).as("the right password for a blocked device: " + right.output()).isNotZero();
        SftpFixture.Run other = f.sftp("desk", "desk password", "ls /\n", "-o", "BindAddress=127.0.0.20");
        assertThat(other.exit()).as("another device from a fresh address: " + other.output()).isZero();
        // The activity log has the block's first refusal (sshpass sometimes answers a second password
        // prompt, so a guess may count twice and the block start earlier); the log has every one.
        assertThat(audit("sftp.login-blocked")).singleElement().asString().contains("\"blockedFor\": \"device\"");
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("refused for 'laptop' from 127.0.0.20", "for this device"));
    }
}
