package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/** The server refused the credentials, or they may not do what was asked. */
public final class CredentialsRefusedException extends BackendException {
    public CredentialsRefusedException(String location, String detail) {
        super(Kind.REFUSED, location + " refused access (" + detail + "); check the access key and secret, and that the key "
                + "may list, read and write the bucket");
    }

    /** For servers whose credentials are not an access key and secret (SFTP): {@code whatToDo} ends the message. */
    public CredentialsRefusedException(String location, String detail, String whatToDo) {
        super(Kind.REFUSED, location + " refused access (" + detail + "); " + whatToDo);
    }
}
