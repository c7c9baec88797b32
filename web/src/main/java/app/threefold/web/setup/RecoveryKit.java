package app.threefold.web.setup;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a person needs to read the backups without this appliance: the repository id, the recovery
 * password (null once it was shown and the setup session ended), where the copies are, the commands
 * to type, and what the appliance key is. The page and the downloadable text file say the same,
 * from here.
 *
 * @param devices names whose snapshots the repository holds, for commands with real names (may be empty)
 */
public record RecoveryKit(String repositoryId, String password, Path repositoryPath, Path applianceKey,
                          List<String> devices, Instant made) {

    /** Where the panel serves the file (under the kit's page, which the setup guard lets through). */
    public static final String FILE_PATH = "/setup/recovery-kit.txt";
    /** The download's name. */
    public static final String FILE_NAME = "threefold-recovery-kit.txt";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    public RecoveryKit {
        devices = List.copyOf(devices);
    }

    /** A device name for the examples: the first real one, else a placeholder to replace. */
    private String device() {
        return devices.isEmpty() ? "DEVICE" : devices.getFirst();
    }

    /** The repository's path as a shell reads it back: quoted when it holds spaces or other specials. */
    private String shellPath() {
        String path = repositoryPath.toString();
        return path.matches("[A-Za-z0-9_./:@%+=,-]+") ? path : "'" + path.replace("'", "'\\''") + "'";
    }

    /** The plain restic commands, in the order a person runs them; restic asks for the password. */
    public List<String> resticCommands() {
        String repo = "restic -r " + shellPath();
        List<String> lines = new ArrayList<>();
        lines.add(repo + " snapshots");
        List<String> names = devices.isEmpty() ? List.of("DEVICE") : devices;
        for (String d : names) {
            lines.add(repo + " restore latest --host " + d + " --target restored-" + d);
        }
        lines.add(repo + " check --read-data");
        return lines;
    }

    /** The same restore with Threefold's own command, the password in a file. */
    public String threefoldCommand() {
        return "java -jar threefold.jar restore --repo " + shellPath() + " --password-file recovery-password.txt"
                + " --device " + device() + " restored-" + device();
    }

    /** The command that adds a new recovery password with the appliance key, if this one is lost. */
    public String newPasswordCommand() {
        return "restic -r " + shellPath() + " key add --password-file " + applianceKey;
    }

    /** The kit as a text file to keep: plain ASCII apart from names, lines short enough to print. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("THREEFOLD RECOVERY KIT\n");
        b.append("Made ").append(DAY.format(made)).append(". Print it or keep it away from the NAS.\n");
        b.append("Without the password nobody, not even you, can read the backups.\n\n");
        b.append("Repository id\n  ").append(repositoryId).append("\n\n");
        b.append("Recovery password\n  ");
        b.append(password != null ? password
                : "(shown only once, right after setup: copy it here from your printed kit)").append("\n\n");
        b.append("Where the copies are\n");
        b.append("  On the NAS: ").append(repositoryPath).append("\n");
        b.append("  No mirrors yet: add an off-site copy (a friend's Threefold, a cloud bucket) for the 3-2-1 rule.\n\n");
        b.append("How to restore with plain restic (0.14 or later), on any computer that can read a copy.\n");
        b.append("Each command asks for the recovery password:\n\n");
        for (String line : resticCommands()) {
            b.append("  ").append(line).append("\n");
        }
        b.append("\nHow to restore with Threefold (this appliance or a new one), the password in a file:\n\n");
        b.append("  ").append(threefoldCommand()).append("\n\n");
        b.append("If you lose the recovery password\n");
        for (String line : lostPassword()) {
            b.append("  ").append(line).append("\n");
        }
        b.append("\nThe appliance key (").append(applianceKey).append(")\n");
        for (String line : applianceKeyAdvice()) {
            b.append("  ").append(line).append("\n");
        }
        return b.toString();
    }

    /** What to do if the password is lost, while the appliance still runs. */
    public List<String> lostPassword() {
        return List.of(
                "While this appliance and its data folder exist, its own key still opens the repository.",
                "Set a new recovery password at once (restic asks for it twice), then make a new kit:",
                "    " + newPasswordCommand(),
                "If the NAS is lost too, only the recovery password opens the copies: nobody can recover it.");
    }

    /** What the appliance key is and how to keep it. */
    public List<String> applianceKeyAdvice() {
        return List.of(
                "It is a second key to the same backups: whoever has it and a copy of the repository can read",
                "every backup without the recovery password. Threefold needs it to run unattended, and keeps it",
                "readable by its own user only.",
                "- Keep it on the NAS only. Never store it next to a copy of the repository (the same USB disk,",
                "  bucket or friend's NAS): together they open everything.",
                "- If you back up the NAS's data folder elsewhere, leave appliance.key out, or keep that backup",
                "  as safe as this kit.",
                "- A spare of it, kept apart from every copy, lets you set a new password after a loss; without",
                "  a spare, this kit's password is the only way in once the NAS is gone. Choose one on purpose.");
    }
}
