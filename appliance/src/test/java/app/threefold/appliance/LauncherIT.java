package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code appliance/threefold} as a user runs it. The first run of a command also writes the JVM's
 * class-data-sharing archive: that may not add a byte to the command's output or change its exit
 * status, since scripts read both.
 */
class LauncherIT {

    private final Path launcher = Path.of("threefold").toAbsolutePath();

    private record Run(int status, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = launcher.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void theFirstRunsOfACommandPrintExactlyWhatLaterRunsPrintAndKeepTheirExitStatus() throws Exception {
        assertThat(Files.isExecutable(launcher)).as(launcher + " is executable").isTrue();
        Run first = run("--version");
        Run second = run("--version");
        Run third = run("--version");

        assertThat(first.status()).isZero();
        assertThat(first.out()).matches("Threefold \\S+\\R");
        assertThat(second).isEqualTo(first);
        assertThat(third).isEqualTo(first);

        for (int i = 0; i < 3; i++) {
            Run refused = run("no-such-command");
            assertThat(refused.status()).as("run %d", i + 1).isEqualTo(2);
            assertThat(refused.out()).isEmpty();
            assertThat(refused.err()).contains("no-such-command").doesNotContainIgnoringCase("archive");
        }
    }
}
