package app.threefold.recovery;

import app.threefold.ThreefoldException;

/**
 * A recovery that cannot start or go on: a data directory that is not empty, a password that opens
 * nothing on the copy, a location that holds no repository. The message says what to do.
 */
public final class RecoveryException extends ThreefoldException {
    public RecoveryException(Kind kind, String message) {
        super(kind, message);
    }

    public RecoveryException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
