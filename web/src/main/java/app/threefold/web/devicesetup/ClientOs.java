package app.threefold.web.devicesetup;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The operating systems a setup script is made for, with what each backs up by default: the
 * folders people keep their own files in, and the caches and junk never worth a byte of the NAS.
 */
public enum ClientOs {
    LINUX("Linux", "setup-linux.sh", "threefold-setup.sh",
            List.of("Documents", "Desktop", "Pictures"),
            List.of(".cache/**", ".local/share/Trash/**", "**/node_modules/**", "**/.Trash-*/**", "*.tmp", "*~")),
    MACOS("macOS", "setup-macos.sh", "threefold-setup.sh",
            List.of("Documents", "Desktop", "Pictures"),
            List.of("Library/Caches/**", ".Trash/**", "**/node_modules/**", "**/.DS_Store", ".cache/**", "*.tmp")),
    WINDOWS("Windows", "setup-windows.ps1", "threefold-setup.ps1",
            List.of("Documents", "Desktop", "Pictures"),
            List.of("AppData/Local/**", "AppData/LocalLow/**", "**/node_modules/**", "**/Thumbs.db", "**/desktop.ini",
                    "NTUSER.DAT*", "ntuser.dat*", "*.tmp"));

    private final String label;
    private final String template;
    private final String fileName;
    private final List<String> folders;
    private final List<String> excludes;

    ClientOs(String label, String template, String fileName, List<String> folders, List<String> excludes) {
        this.label = label;
        this.template = template;
        this.fileName = fileName;
        this.folders = folders;
        this.excludes = excludes;
    }

    /** "Linux", "macOS", "Windows". */
    public String label() {
        return label;
    }

    /** The path segment and form value: "linux", "macos", "windows". */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    String template() {
        return template;
    }

    /** The name a downloaded script is saved under. */
    public String fileName() {
        return fileName;
    }

    public List<String> defaultFolders() {
        return folders;
    }

    public List<String> defaultExcludes() {
        return excludes;
    }

    public boolean windows() {
        return this == WINDOWS;
    }

    /** The one command that fetches the script from {@code url} and runs it. */
    public String command(String url) {
        return windows() ? "irm " + url + " | iex" : "curl -sS " + url + " | sh";
    }

    public static Optional<ClientOs> of(String id) {
        for (ClientOs os : values()) {
            if (os.id().equals(id)) {
                return Optional.of(os);
            }
        }
        return Optional.empty();
    }
}
