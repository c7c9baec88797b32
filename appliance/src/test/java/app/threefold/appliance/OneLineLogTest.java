package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What strangers type cannot forge lines in threefold.log or on the console. */
class OneLineLogTest {
    private static final String FORGED = "x\nFAKE LINE";

    @TempDir
    Path tmp;

    @Test
    void anSshUserNameWithANewlineIsLoggedAsOneLine() throws Exception {
        Path dataDir = tmp.resolve("data");
        Files.writeString(tmp.resolve("repo-password"), "repository secret\n");
        Files.writeString(tmp.resolve("admin-password"), "correct horse battery\n");
        assertThat(Main.run(new String[] {"init", "--data-dir", dataDir.toString(), "--password-file",
                        tmp.resolve("repo-password").toString(), "--admin-user", "admin", "--admin-password-file",
                        tmp.resolve("admin-password").toString()}, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()))).isZero();
        Logging.useDataDir(dataDir);
        try (Appliance appliance = Appliance.start(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), Map.of()), "test");
             SshClient client = SshClient.setUpDefaultClient()) {
            // OpenSSH's own client refuses such a name ("remote username contains invalid characters"); others send it.
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (ClientSession session = client.connect(FORGED, "127.0.0.1", appliance.sftpPort())
                    .verify(Duration.ofSeconds(30)).getSession()) {
                session.addPasswordIdentity("any password");
                assertThatThrownBy(() -> session.auth().verify(Duration.ofSeconds(30))).hasMessageContaining("No more authentication methods");
            }
        }
        String log = Files.readString(dataDir.resolve("logs").resolve("threefold.log"));
        assertThat(log.lines()).noneMatch(line -> line.startsWith("FAKE LINE"));
        assertThat(log).contains("'x\\nFAKE LINE' from 127.0.0.1");
    }

    @Test
    void theConsoleOfTheShippedConfigurationKeepsMessagesAndExceptionsOnTheirLines() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(OneLineLogTest.class.getResource("/logback.xml"));
        var console = (OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
                context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
        var event = new LoggingEvent(OneLineLogTest.class.getName(), context.getLogger("test"), Level.WARN,
                "SFTP login failed for '{}'", new IllegalStateException("bad name " + FORGED, new RuntimeException("r\r\nFAKE")),
                new Object[] {FORGED});
        String written = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
        context.stop();

        assertThat(written.lines().findFirst().orElseThrow()).endsWith("SFTP login failed for 'x\\nFAKE LINE'");
        assertThat(written).contains("java.lang.IllegalStateException: bad name x\\nFAKE LINE", "Caused by: java.lang.RuntimeException: r\\r\\nFAKE",
                "\tat app.threefold.appliance.OneLineLogTest");
        assertThat(written.lines()).noneMatch(line -> line.startsWith("FAKE"));
    }
}
