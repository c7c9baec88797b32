package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/** A location that was to be opened as a repository is not one. */
public final class NotARepositoryException extends BackendException {
    public NotARepositoryException(String location, String reason) {
        super(Kind.NOT_FOUND, location + " is not a repository: " + reason
                + "; check the path, or create a repository there with `threefold init`");
    }
}
