package app.threefold.retention;

import app.threefold.ThreefoldException;

/** A name that is no device's, local source's or deleted device's, and no snapshot's hostname. */
public final class UnknownSubjectException extends ThreefoldException {

    public UnknownSubjectException(String name) {
        super(Kind.NOT_FOUND, "there is no device or local source named '" + name + "' with snapshots; the Devices page lists them");
    }
}
