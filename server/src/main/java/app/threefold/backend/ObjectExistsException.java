package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/** An immutable object was saved a second time under the same name. */
public final class ObjectExistsException extends BackendException {
    public ObjectExistsException(Handle handle, String location) {
        super(Kind.CONFLICT, handle.path() + " already exists in " + location + "; repository objects are never overwritten");
    }
}
