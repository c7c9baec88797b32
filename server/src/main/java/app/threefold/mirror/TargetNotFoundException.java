package app.threefold.mirror;

/** No target has the id that was asked for. */
public final class TargetNotFoundException extends TargetException {

    public TargetNotFoundException(String message) {
        super(Kind.NOT_FOUND, message);
    }

    public TargetNotFoundException(String message, Throwable cause) {
        super(Kind.NOT_FOUND, message, cause);
    }
}
