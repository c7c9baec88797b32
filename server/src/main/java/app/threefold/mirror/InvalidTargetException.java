package app.threefold.mirror;

/** Settings for a target that cannot work: a bad name, endpoint, folder or limit; nothing was changed. */
public final class InvalidTargetException extends TargetException {

    public InvalidTargetException(String message) {
        super(Kind.BAD_REQUEST, message);
    }

    public InvalidTargetException(String message, Throwable cause) {
        super(Kind.BAD_REQUEST, message, cause);
    }
}
