package app.threefold.mirror;

import app.threefold.ThreefoldException;

/** Root of what goes wrong with mirror targets and syncs; every message says what to do next. */
public abstract class TargetException extends ThreefoldException {

    TargetException(Kind kind, String message) {
        super(kind, message);
    }

    TargetException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
