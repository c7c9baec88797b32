package app.threefold.backend;

import java.io.IOException;

/** A location that was to be opened as a repository is not one. */
public final class NotARepositoryException extends IOException {
    public NotARepositoryException(String location, String reason) {
        super(location + " is not a repository: " + reason
                + "; check the path, or create a repository there with `threefold init`");
    }
}
