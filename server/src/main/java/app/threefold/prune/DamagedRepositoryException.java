package app.threefold.prune;

import app.threefold.ThreefoldException;

/** Snapshots need data the repository does not have: a prune would decide on a wrong picture, so it stops before changing anything. */
public class DamagedRepositoryException extends ThreefoldException {

    public DamagedRepositoryException(String message) {
        super(Kind.DAMAGED, message);
    }

    public DamagedRepositoryException(String message, Throwable cause) {
        super(Kind.DAMAGED, message, cause);
    }
}
