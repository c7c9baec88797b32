package app.threefold.appliance;

import app.threefold.ThreefoldException;

/**
 * A command refused to run before changing anything: a bad configuration value, a data directory
 * used by another process, an appliance that is already set up. The CLI exits with status 2.
 */
public class CommandRefusedException extends ThreefoldException {

    public CommandRefusedException(String message) {
        super(message);
    }

    public CommandRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
