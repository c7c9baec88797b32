package app.threefold.mirror;

/** A folder target that held a copy is missing or empty: its disk is not plugged in or not mounted. Never treated as an empty copy. */
public final class TargetNotMountedException extends TargetException {

    public TargetNotMountedException(String message) {
        super(Kind.UNAVAILABLE, message);
    }

    public TargetNotMountedException(String message, Throwable cause) {
        super(Kind.UNAVAILABLE, message, cause);
    }
}
