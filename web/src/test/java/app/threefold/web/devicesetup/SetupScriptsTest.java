package app.threefold.web.devicesetup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts as a computer receives them: every value filled in (host, port, device, pinned host
 * key, schedule, selection) for each system; the shell ones clean for {@code shellcheck} and
 * {@code sh -n}; the PowerShell one equal to a golden file (no PowerShell parser is installable
 * from the package registries used here, see docs/clients.md).
 */
class SetupScriptsTest {
    static final String HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk4Pj2v1mVJ9o1JZ0E4cHn2QYt0T4kQ6m7pX8cE0w3d";
    static final String KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
            + "-----END OPENSSH PRIVATE KEY-----\n";
    static final Instant MADE = Instant.parse("2026-12-07T04:00:00Z");

    @TempDir
    Path tmp;
    final SetupScripts scripts = new SetupScripts();

    private String script(ClientOs os, boolean ac) {
        SetupChoice choice = new SetupChoice(os, LocalTime.of(21, 5), Duration.ofHours(24),
                List.of("Documents", "Pictures/Holidays 2026"), os.defaultExcludes(), ac);
        return scripts.script(choice, new SetupScripts.Target("nas.home", 2222, "anna-laptop", List.of(HOST_KEY)), KEY, MADE);
    }

    @Test
    void everyScriptCarriesTheDevicesValues() {
        for (ClientOs os : ClientOs.values()) {
            String s = script(os, false);
            assertThat(s).as(os.label())
                    .doesNotContain("{{")
                    .contains("'nas.home'", "2222", "'anna-laptop'", "'21:05'")
                    .contains("[nas.home]:2222 " + HOST_KEY)
                    .contains("+ /Documents/**", "+ /Pictures/Holidays 2026/**", "- /.config/threefold/**")
                    .contains("-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ")
                    .contains("known_hosts_file = ", "shell_type = none");
            assertThat(s.replace("\r\n", "\n").indexOf("\n- **\n")).as("everything else is left out, after the chosen folders")
                    .isGreaterThan(s.replace("\r\n", "\n").indexOf("+ /Pictures/Holidays 2026/**"));
        }
        assertThat(script(ClientOs.LINUX, false)).contains("AT_HOUR=21", "AT_MINUTE=5", "OnCalendar=*-*-* $AT:00",
                "Persistent=true", "crontab", "apt-get", "dnf", "pacman", "- .cache/**");
        assertThat(script(ClientOs.MACOS, false)).contains("<key>Hour</key><integer>$AT_HOUR</integer>", "brew install rclone",
                "Privacy_AllFiles", "Full Disk Access", "- Library/Caches/**");
        assertThat(script(ClientOs.WINDOWS, true)).contains("$AcPowerOnly = $true", "-StartWhenAvailable",
                "New-ScheduledTaskTrigger -Daily -At $At", "winget install --id Rclone.Rclone", "Unregister-ScheduledTask",
                "- AppData/Local/**", "\r\n");
        assertThat(script(ClientOs.WINDOWS, false)).contains("$AcPowerOnly = $false");
        // Their file systems ignore case: "documents" is the Documents folder, so the filter must match it too.
        assertThat(script(ClientOs.WINDOWS, false).split("--ignore-case", -1)).hasSize(3);
        assertThat(script(ClientOs.MACOS, false)).contains("sync \"\\$HOME\" threefold: --ignore-case --filter-from");
        assertThat(script(ClientOs.LINUX, false)).doesNotContain("--ignore-case");
    }

    @Test
    void theShellScriptsPassShellcheckAndParse() throws Exception {
        for (ClientOs os : List.of(ClientOs.LINUX, ClientOs.MACOS)) {
            Path file = Files.writeString(tmp.resolve(os.id() + ".sh"), script(os, false));
            Run sh = run("sh", "-n", file.toString());
            assertThat(sh.exit()).as(os.label() + ": sh -n\n" + sh.output()).isZero();
            Run check = run("shellcheck", "--shell=sh", "--severity=style", file.toString());
            assertThat(check.exit()).as(os.label() + ": shellcheck (apt-get install shellcheck)\n" + check.output()).isZero();
        }
    }

    /** A home folder with stand-ins for rclone and systemctl, each logging its arguments; {@code systemctl} as given. */
    private Path fakeHome(String systemctl, boolean backupFails) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        stub(bin.resolve("rclone"), backupFails
                ? "echo 'Failed to create file system for \"threefold:\": connection refused' >&2\nexit 1\n" : "exit 0\n");
        stub(bin.resolve("systemctl"), "echo \"systemctl $*\" >> '" + tmp.resolve("calls") + "'\n" + systemctl);
        stub(bin.resolve("crontab"), "exit 0\n");
        return home;
    }

    private static void stub(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Run runScript(Path home, String script, String... env) throws Exception {
        Path file = Files.writeString(tmp.resolve("setup.sh"), script);
        ProcessBuilder pb = new ProcessBuilder("sh", file.toString()).directory(home.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("XDG_") || k.startsWith("RCLONE_"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @Test
    void theLinuxKeyLivesWhereTheFilterLeavesItOutAndAFailedFirstBackupStillEndsWithTheUndo() throws Exception {
        Path home = fakeHome("exit 0\n", true);

        Run run = runScript(home, script(ClientOs.LINUX, false), "XDG_CONFIG_HOME", home.resolve("xdg").toString());

        // The filter leaves out /.config/threefold of the home folder: the key must be there, wherever XDG points.
        assertThat(home.resolve(".config/threefold/id_ed25519")).exists();
        assertThat(home.resolve("xdg/threefold")).doesNotExist();
        assertThat(home.resolve("xdg/systemd/user/threefold-backup.timer")).exists();
        assertThat(run.output()).contains("connection refused", "The first backup failed", "Done:", "To undo everything",
                "systemctl --user daemon-reload", "rm -r '" + home.resolve(".config/threefold") + "'");
        assertThat(run.exit()).as(run.output()).isNotZero();
    }

    @Test
    void aSystemctlThatFailsIsHeardAndReported() throws Exception {
        Path home = fakeHome("case \"$*\" in *enable*) echo 'Failed to enable unit: Access denied' >&2; exit 1 ;; esac\n", false);

        Run run = runScript(home, script(ClientOs.LINUX, false));

        assertThat(run.exit()).as(run.output()).isNotZero();
        assertThat(run.output()).contains("Failed to enable unit: Access denied", "could not start the daily timer");
    }

    @Test
    void aScriptCutShortInTransitRunsNothing() throws Exception {
        for (ClientOs os : List.of(ClientOs.LINUX, ClientOs.MACOS)) {
            Path home = fakeHome("exit 0\n", false);
            String whole = script(os, false);
            // As if the connection dropped right after the key was written.
            String cut = whole.substring(0, whole.indexOf("THREEFOLD_HOSTS"));

            Run run = runScript(home, cut);

            assertThat(run.exit()).as(os.label()).isNotZero();
            assertThat(home.resolve(".config")).as(os.label() + ": " + run.output()).doesNotExist();
            assertThat(run.output()).as(os.label()).doesNotContain("Setting up");
        }
    }

    @Test
    void theWindowsScriptIsTheGoldenOne() throws Exception {
        String golden;
        try (var in = SetupScriptsTest.class.getResourceAsStream("setup-windows.golden.ps1")) {
            assertThat(in).as("the golden file setup-windows.golden.ps1").isNotNull();
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String made = script(ClientOs.WINDOWS, true);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(Path.of("src/test/resources/app/threefold/web/devicesetup/setup-windows.golden.ps1"), made);
        }
        // Compared line by line: a checkout may turn the golden file's CRLF line ends into LF.
        assertThat(made.replace("\r\n", "\n")).isEqualTo(golden.replace("\r\n", "\n"));
    }

    @Test
    void aSelectionThatWouldBreakOutOfItsPlaceIsRefused() {
        assertThatThrownBy(() -> new SetupChoice(ClientOs.LINUX, LocalTime.NOON, Duration.ofDays(1), List.of("../etc"), List.of(), false))
                .isInstanceOf(SetupChoiceException.class).hasMessageContaining("inside the home folder");
        assertThatThrownBy(() -> new SetupChoice(ClientOs.LINUX, LocalTime.NOON, Duration.ofDays(1), List.of("Docs*"), List.of(), false))
                .isInstanceOf(SetupChoiceException.class);
        assertThatThrownBy(() -> new SetupChoice(ClientOs.LINUX, LocalTime.NOON, Duration.ofDays(1), List.of("Documents"),
                List.of("+ /etc/**"), false)).isInstanceOf(SetupChoiceException.class).hasMessageContaining("rclone pattern");
        SetupChoice endsHereDoc = new SetupChoice(ClientOs.LINUX, LocalTime.NOON, Duration.ofDays(1), List.of("Documents"),
                List.of("x"), false);
        assertThatThrownBy(() -> scripts.script(endsHereDoc, new SetupScripts.Target("nas'; rm -rf ~", 22, "laptop",
                List.of(HOST_KEY)), KEY, MADE)).isInstanceOf(SetupChoiceException.class);
        assertThatThrownBy(() -> new SetupScripts.Target("nas", 2222, "laptop", List.of()))
                .isInstanceOf(SetupChoiceException.class).hasMessageContaining("not running");
        assertThatThrownBy(() -> SetupChoice.time("25:00")).isInstanceOf(SetupChoiceException.class);
        assertThat(SetupChoice.lines(" Documents/ \n\n Pictures\n")).containsExactly("Documents", "Pictures");
    }

    record Run(int exit, String output) {
    }

    static Run run(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }
}
