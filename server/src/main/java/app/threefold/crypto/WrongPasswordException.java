package app.threefold.crypto;

import app.threefold.ThreefoldException.Kind;

/** A key file did not open with the given password. */
public final class WrongPasswordException extends app.threefold.ThreefoldException {

    public WrongPasswordException() {
        super(Kind.REFUSED, "the password is wrong for this repository key; check the repository password"
                + " (and the password file, if one is used) and try again");
    }

    public WrongPasswordException(String message) {
        super(Kind.REFUSED, message);
    }
}
