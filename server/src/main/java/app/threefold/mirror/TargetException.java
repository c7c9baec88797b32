package app.threefold.mirror;

import app.threefold.ThreefoldException;

/** Root of what goes wrong with mirror targets and syncs; every message says what to do next. */
public class TargetException extends ThreefoldException {

    public TargetException(String message) {
        super(message);
    }

    public TargetException(String message, Throwable cause) {
        super(message, cause);
    }
}
