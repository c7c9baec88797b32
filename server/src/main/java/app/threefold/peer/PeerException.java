package app.threefold.peer;

import app.threefold.ThreefoldException;

/** A request about guests or pairings that cannot be carried out (no such guest, bad value); nothing was changed. */
public final class PeerException extends ThreefoldException {

    public PeerException(Kind kind, String message) {
        super(kind, message);
    }

    public PeerException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
