package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.ResticCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code appliance/threefold} as a user runs it. The first run of a command also writes the JVM's
 * class-data-sharing archive: that may not add a byte to the command's output or change its exit
 * status, since scripts read both. And a command without a data directory logs to the console
 * only, leaving no {@code logs} folder wherever it was run.
 */
class LauncherIT {

    private final Path launcher = Path.of("threefold").toAbsolutePath();
    /** Where the user runs it: a command without a data directory must leave nothing here. */
    @TempDir
    Path workingDir;
    @TempDir
    Path elsewhere;

    private record Run(int status, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        return run(java.util.Map.of(), args);
    }

    private Run run(java.util.Map<String, String> env, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = launcher.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void theLauncherSaysOnStderrWhichJdkItChoseAndWhy() throws Exception {
        Path jdk = Path.of(System.getProperty("java.home"));
        Run run = run(java.util.Map.of("JAVA_HOME", jdk.toString()), "--version");

        assertThat(run.status()).isZero();
        assertThat(run.out()).matches("Threefold \\S+\\R");
        assertThat(run.err()).isEqualTo("Threefold runs on Java " + Runtime.version().feature() + " in " + jdk
                + " (JAVA_HOME)" + System.lineSeparator());
    }

    @Test
    void firstRunsPrintWhatLaterRunsPrintKeepTheirExitStatusAndNoCommandLeavesFilesWhereItRan() throws Exception {
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
        // A command that opens a repository (and so starts logging) without a data directory.
        Path repository = elsewhere.resolve("repo");
        new ResticCli(repository, "launcher password").ok("init", "--repository-version", "2");
        Path password = Files.writeString(elsewhere.resolve("pw"), "launcher password\n");
        Run listed = run("snapshots", "--repo", repository.toString(), "--password-file", password.toString());
        assertThat(listed.status()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("0 snapshots");
        try (var left = Files.list(workingDir)) {
            assertThat(left).as("files left where the commands ran").isEmpty();
        }
    }
}
