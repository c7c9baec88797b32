package app.threefold.snapshot;

import app.threefold.InvalidIdException;
import app.threefold.format.Id;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A snapshot's id: the SHA-256 of its snapshot file, written as 64 hexadecimal digits (the panel's
 * links and the API use this full form; the CLI also takes "latest" or a unique prefix, which
 * {@link Snapshots#find} resolves). Parsed once where it enters.
 */
public record SnapshotId(Id id) {

    public SnapshotId {
        java.util.Objects.requireNonNull(id, "id");
    }

    /** @throws InvalidIdException if {@code hex} is not 64 hexadecimal digits */
    public static SnapshotId parse(String hex) {
        if (hex == null || hex.length() != 2 * Id.LENGTH || !hex.chars().allMatch(HexFormat::isHexDigit)) {
            throw new InvalidIdException("'" + hex + "' is not a snapshot id: an id is 64 hexadecimal digits;"
                    + " the snapshots page and `threefold snapshots` list them.");
        }
        return new SnapshotId(Id.parse(hex.toLowerCase(Locale.ROOT)));
    }

    public static SnapshotId of(Id id) {
        return new SnapshotId(id);
    }

    public String hex() {
        return id.hex();
    }

    public String shortHex() {
        return id.shortHex();
    }

    @Override
    public String toString() {
        return id.hex();
    }
}
