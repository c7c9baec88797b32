package app.threefold.mirror;

/** The target holds a repository other than this appliance's; syncing would mix two repositories. */
public final class ForeignRepositoryException extends TargetException {

    public ForeignRepositoryException(String message) {
        super(Kind.REFUSED, message);
    }

    public ForeignRepositoryException(String message, Throwable cause) {
        super(Kind.REFUSED, message, cause);
    }
}
