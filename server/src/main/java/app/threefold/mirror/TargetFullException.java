package app.threefold.mirror;

/** The target ran out of space during a sync; what was sent is complete and the copy stays consistent. */
public final class TargetFullException extends TargetException {

    public TargetFullException(String message) {
        super(Kind.UNAVAILABLE, message);
    }

    public TargetFullException(String message, Throwable cause) {
        super(Kind.UNAVAILABLE, message, cause);
    }
}
