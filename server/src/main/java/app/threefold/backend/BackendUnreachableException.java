package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/** The server a backend lives on did not answer: wrong address, server down, network out. */
public final class BackendUnreachableException extends BackendException {
    public BackendUnreachableException(String location, Throwable cause) {
        super(Kind.UNAVAILABLE, "cannot reach " + location + " (" + cause.getMessage() + "); check the address and port, "
                + "that the server is running and that this machine can reach it", cause);
    }
}
