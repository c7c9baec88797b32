package app.threefold.backend;

import java.io.IOException;

/** The named object is not in the backend. */
public final class NoSuchObjectException extends IOException {
    private final transient Handle handle;

    public NoSuchObjectException(Handle handle, String location) {
        super(handle.path() + " is missing from " + location
                + "; if the repository is damaged, run `threefold check` to see what it affects");
        this.handle = handle;
    }

    public Handle handle() {
        return handle;
    }
}
