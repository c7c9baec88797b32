package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/** A new repository was to be created where one already is. */
public final class RepositoryExistsException extends BackendException {
    public RepositoryExistsException(String location) {
        super(Kind.CONFLICT, location + " already holds a repository (it has a config file); open it instead, "
                + "or choose an empty folder for a new one");
    }
}
