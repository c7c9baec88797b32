package app.threefold.repository;

/** Root of the failures of a repository that a person can act on; the message says how. */
public class RepositoryException extends app.threefold.ThreefoldException {
    public RepositoryException(String message) {
        super(message);
    }

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
