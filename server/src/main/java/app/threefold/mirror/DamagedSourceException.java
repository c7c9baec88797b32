package app.threefold.mirror;

/** An object of the local repository does not hash to its name: it is never copied, so damage does not spread. */
public final class DamagedSourceException extends TargetException {

    public DamagedSourceException(String message) {
        super(Kind.DAMAGED, message);
    }

    public DamagedSourceException(String message, Throwable cause) {
        super(Kind.DAMAGED, message, cause);
    }
}
