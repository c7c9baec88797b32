package app.threefold.repository;

import app.threefold.ThreefoldException;

/**
 * Root of the failures of a repository that a person can act on; the message says how, the kind
 * says what it means (no repository yet, a snapshot not found, a lock held by another process…).
 */
public class RepositoryException extends ThreefoldException {

    public RepositoryException(Kind kind, String message) {
        super(kind, message);
    }

    public RepositoryException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
