package app.threefold.browse;

import app.threefold.format.Id;
import java.util.Objects;

/** The root tree of one snapshot: where every path of {@link SnapshotFiles} starts. */
public record SnapshotRoot(Id tree) {

    public SnapshotRoot {
        Objects.requireNonNull(tree, "tree");
    }

    /** The root whose tree id is {@code hex}, as the catalog's snapshot summaries carry it. */
    public static SnapshotRoot of(String hex) {
        return new SnapshotRoot(Id.parse(hex));
    }
}
