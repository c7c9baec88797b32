package app.threefold.crypto;

/** A key file did not open with the given password. */
public final class WrongPasswordException extends RuntimeException {

    public WrongPasswordException() {
        super("the password is wrong for this repository key; check the repository password"
                + " (and the password file, if one is used) and try again");
    }
}
