package app.threefold.backend;

import java.io.IOException;

/** A new repository was to be created where one already is. */
public final class RepositoryExistsException extends IOException {
    public RepositoryExistsException(String location) {
        super(location + " already holds a repository (it has a config file); open it instead, "
                + "or choose an empty folder for a new one");
    }
}
