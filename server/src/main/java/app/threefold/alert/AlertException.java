package app.threefold.alert;

import app.threefold.ThreefoldException;

/** A channel's settings that cannot work, or a channel that does not exist; the message says which field to correct. */
public final class AlertException extends ThreefoldException {
    public AlertException(Kind kind, String message) {
        super(kind, message);
    }

    public AlertException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
