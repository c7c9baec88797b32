package app.threefold.backend;

import java.util.Objects;

/**
 * Names one object in a backend. For {@link FileType#CONFIG} the name is always {@code "config"};
 * for every other type it is the object's id as 64 lower-case hex digits.
 */
public record Handle(FileType type, String name) {

    public static final Handle CONFIG = new Handle(FileType.CONFIG, "config");

    public Handle {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        if (type == FileType.CONFIG ? !name.equals("config") : !name.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a valid name for " + type + ": " + name);
        }
    }

    /** The object's path relative to the repository root, with '/' separators. */
    public String path() {
        return switch (type) {
            case CONFIG -> "config";
            case PACK -> "data/" + name.substring(0, 2) + "/" + name;
            default -> type.folder() + "/" + name;
        };
    }
}
