package app.threefold.format;

import app.threefold.ThreefoldException.Kind;

/**
 * A stored object does not follow the repository format or fails its checksum: it was damaged
 * on disk or in transit, or written by something else. The message names the object.
 */
public final class FormatException extends app.threefold.ThreefoldException {
    public FormatException(String message) {
        super(Kind.DAMAGED, message);
    }

    public FormatException(String message, Throwable cause) {
        super(Kind.DAMAGED, message, cause);
    }
}
