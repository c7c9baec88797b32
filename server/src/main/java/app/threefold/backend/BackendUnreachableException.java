package app.threefold.backend;

import java.io.IOException;

/** The server a backend lives on did not answer: wrong address, server down, network out. */
public final class BackendUnreachableException extends IOException {
    public BackendUnreachableException(String location, Throwable cause) {
        super("cannot reach " + location + " (" + cause.getMessage() + "); check the address and port, "
                + "that the server is running and that this machine can reach it", cause);
    }
}
