package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/** The named object is not in the backend. */
public final class NoSuchObjectException extends BackendException {
    private final transient Handle handle;

    public NoSuchObjectException(Handle handle, String location) {
        super(Kind.NOT_FOUND, handle.path() + " is missing from " + location
                + "; if the repository is damaged, run `threefold check` to see what it affects");
        this.handle = handle;
    }

    public Handle handle() {
        return handle;
    }
}
