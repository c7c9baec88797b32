package app.threefold.mirror;

/** A folder target that cannot be written: a read-only mount, a write-protected disk. */
public final class TargetReadOnlyException extends TargetException {

    public TargetReadOnlyException(String message) {
        super(Kind.UNAVAILABLE, message);
    }

    public TargetReadOnlyException(String message, Throwable cause) {
        super(Kind.UNAVAILABLE, message, cause);
    }
}
