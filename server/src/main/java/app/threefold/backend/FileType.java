package app.threefold.backend;

/** The kinds of object a restic-format repository holds, with the folder each lives in. */
public enum FileType {
    CONFIG(""),
    KEY("keys"),
    LOCK("locks"),
    SNAPSHOT("snapshots"),
    INDEX("index"),
    /** Pack files; stored under {@code data/<first two hex digits>/}. */
    PACK("data");

    private final String folder;

    FileType(String folder) {
        this.folder = folder;
    }

    /** The folder below the repository root, empty for the config file. */
    public String folder() {
        return folder;
    }
}
