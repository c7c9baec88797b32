package app.threefold.browse;

import java.util.ArrayList;
import java.util.List;

/**
 * A path inside a snapshot as the names along it ({@link SnapshotNames} strings, so any bytes
 * survive); empty for the snapshot's root. Written "/a/b", and "/" for the root.
 */
public record SnapshotPath(List<String> names) {

    public static final SnapshotPath ROOT = new SnapshotPath(List.of());

    public SnapshotPath {
        names = List.copyOf(names);
    }

    /**
     * The path written {@code path} ('/'-separated; empty parts, and a null path, are ignored).
     *
     * @throws InvalidSnapshotPathException if a part is {@code .} or {@code ..}
     */
    public static SnapshotPath parse(String path) {
        List<String> names = new ArrayList<>();
        for (String part : (path == null ? "" : path).split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.equals(".") || part.equals("..")) {
                throw new InvalidSnapshotPathException("Paths in a snapshot cannot contain '.' or '..'.");
            }
            names.add(part);
        }
        return new SnapshotPath(names);
    }

    public boolean isRoot() {
        return names.isEmpty();
    }

    /** The last name; the root has none. */
    public String name() {
        if (names.isEmpty()) {
            throw new IllegalStateException("the root of a snapshot has no name");
        }
        return names.getLast();
    }

    /** The path of the first {@code count} names: the folders above this entry. */
    public SnapshotPath prefix(int count) {
        return new SnapshotPath(names.subList(0, count));
    }

    /** "/a/b", or "/" for the root. */
    @Override
    public String toString() {
        return "/" + String.join("/", names);
    }
}
