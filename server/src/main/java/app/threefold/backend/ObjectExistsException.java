package app.threefold.backend;

import java.io.IOException;

/** An immutable object was saved a second time under the same name. */
public final class ObjectExistsException extends IOException {
    public ObjectExistsException(Handle handle, String location) {
        super(handle.path() + " already exists in " + location + "; repository objects are never overwritten");
    }
}
