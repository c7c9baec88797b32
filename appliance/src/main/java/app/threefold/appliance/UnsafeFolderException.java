package app.threefold.appliance;

/**
 * The data directory or the folder PostgreSQL's binaries run from could be changed by another
 * user, who could then replace the binaries; nothing was run from it. The message names the
 * folder and the command that makes it safe.
 */
public final class UnsafeFolderException extends CommandRefusedException {

    UnsafeFolderException(String message) {
        super(message);
    }
}
