package app.threefold.mirror;

/** A sync of the target is queued or running, so it cannot be removed now. */
public final class TargetBusyException extends TargetException {

    public TargetBusyException(String message) {
        super(Kind.CONFLICT, message);
    }

    public TargetBusyException(String message, Throwable cause) {
        super(Kind.CONFLICT, message, cause);
    }
}
