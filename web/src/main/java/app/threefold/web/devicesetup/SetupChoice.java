package app.threefold.web.devicesetup;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a person chose for one computer in the setup form: its system, the time of the daily run,
 * how often the panel expects a backup (the rhythm; a run missed by more than half a rhythm makes
 * the device late), the folders to back up (relative to the home folder; {@code .} for all of
 * it) and rclone patterns to leave out, and for Windows whether to run on mains power only.
 * Checked here, where it enters, so a script is never made from something it would mangle.
 */
public record SetupChoice(ClientOs os, LocalTime at, Duration rhythm, List<String> folders, List<String> excludes,
                          boolean acPowerOnly) {

    /** The default time of the daily run: the middle of the night, when laptops left on are idle. */
    public static final LocalTime DEFAULT_AT = LocalTime.of(1, 30);

    // A folder becomes part of an rclone rule ("+ /Documents/**"): glob characters would change its meaning.
    private static final Pattern FOLDER = Pattern.compile("[^*?\\[\\]{}\\\\\\r\\n\\x00]+");
    private static final Pattern EXCLUDE = Pattern.compile("[^\\r\\n\\x00]+");

    public SetupChoice {
        folders = List.copyOf(folders);
        excludes = List.copyOf(excludes);
        if (folders.isEmpty()) {
            throw new SetupChoiceException("Choose at least one folder to back up (or . for the whole home folder).");
        }
        for (String f : folders) {
            if (!FOLDER.matcher(f).matches() || f.startsWith("/") || f.startsWith("~") || Arrays.asList(f.split("/")).contains("..")) {
                throw new SetupChoiceException("'" + f + "' is not a folder inside the home folder: write it relative to"
                        + " the home folder (Documents, Pictures/Holidays), without *, ?, [ ], { }, \\ or ..");
            }
        }
        for (String e : excludes) {
            if (!EXCLUDE.matcher(e).matches() || e.startsWith("+ ") || e.startsWith("- ")) {
                throw new SetupChoiceException("'" + e + "' is not an rclone pattern: write one pattern per line, such as"
                        + " **/node_modules/** or *.tmp, without a leading + or -.");
            }
        }
        if (rhythm.toHours() < 1 || rhythm.toHours() > 744) {
            throw new SetupChoiceException("The expected rhythm is between 1 and 744 hours (a month).");
        }
    }

    /** The OS's defaults: Documents, Desktop, Pictures daily at 01:30, common caches left out. */
    public static SetupChoice defaults(ClientOs os, Duration rhythm) {
        return new SetupChoice(os, DEFAULT_AT, rhythm, os.defaultFolders(), os.defaultExcludes(), false);
    }

    /** One entry per non-blank line of a text area, trimmed, a trailing '/' dropped. */
    public static List<String> lines(String text) {
        return text == null ? List.of() : text.lines().map(String::strip).filter(l -> !l.isEmpty())
                .map(l -> l.length() > 1 && l.endsWith("/") ? l.substring(0, l.length() - 1) : l).toList();
    }

    /** "01:30" as typed in a time field. */
    public static LocalTime time(String text) {
        try {
            return LocalTime.parse(text == null ? "" : text.strip()).withSecond(0).withNano(0);
        } catch (DateTimeParseException e) {
            throw new SetupChoiceException("'" + text + "' is not a time of day: write it as 01:30.");
        }
    }

    /**
     * The rclone filter list, first match wins: the script's own folder (it holds the key), then
     * what to leave out, then the chosen folders, then nothing else.
     */
    public String filter() {
        StringBuilder b = new StringBuilder("# Threefold: what this computer backs up, relative to its home folder.\n"
                + "# rclone filter rules, the first that matches wins (https://rclone.org/filtering/).\n");
        b.append("- /.config/threefold/**\n");
        if (os.windows()) {
            b.append("- /AppData/Roaming/Threefold/**\n");
        }
        excludes.forEach(e -> b.append("- ").append(e).append('\n'));
        for (String f : folders) {
            b.append(f.equals(".") ? "+ /**" : "+ /" + f + "/**").append('\n');
        }
        b.append("- **");
        return b.toString();
    }
}
