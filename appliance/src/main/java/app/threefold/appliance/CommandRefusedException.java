package app.threefold.appliance;

import app.threefold.ThreefoldException;

/**
 * A command refused to run before changing anything: a bad configuration value ({@link
 * Kind#BAD_REQUEST}), a data directory used by another process or already set up ({@link
 * Kind#CONFLICT}). The CLI exits with status 2.
 */
public class CommandRefusedException extends ThreefoldException {

    /** A bad flag, configuration or environment value. */
    public CommandRefusedException(String message) {
        super(Kind.BAD_REQUEST, message);
    }

    /** A bad flag, configuration or environment value. */
    public CommandRefusedException(String message, Throwable cause) {
        super(Kind.BAD_REQUEST, message, cause);
    }

    /** A refusal of another kind, e.g. {@link Kind#CONFLICT} for a data directory in use. */
    public CommandRefusedException(Kind kind, String message) {
        super(kind, message);
    }
}
