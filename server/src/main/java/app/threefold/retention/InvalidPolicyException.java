package app.threefold.retention;

import app.threefold.ThreefoldException;

/** A retention policy that cannot be applied as given (a negative count, a malformed duration). */
public final class InvalidPolicyException extends ThreefoldException {

    public InvalidPolicyException(String message) {
        super(Kind.BAD_REQUEST, message);
    }
}
