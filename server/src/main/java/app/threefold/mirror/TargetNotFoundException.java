package app.threefold.mirror;

/** No target has the id that was asked for. */
public final class TargetNotFoundException extends TargetException {

    public TargetNotFoundException(String message) {
        super(message);
    }

    public TargetNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
