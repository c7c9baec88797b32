package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/** A location that was to be opened as a repository is not one. */
public final class NotARepositoryException extends BackendException {
    private final String location;
    private final String reason;

    public NotARepositoryException(String location, String reason) {
        super(Kind.NOT_FOUND, location + " is not a repository: " + reason
                + "; check the path, or create a repository there with `threefold init`");
        this.location = location;
        this.reason = reason;
    }

    /** Where the repository was looked for. */
    public String location() {
        return location;
    }

    /** Why it is not one, e.g. "it has no config file". */
    public String reason() {
        return reason;
    }
}
