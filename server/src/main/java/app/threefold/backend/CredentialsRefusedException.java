package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/** The server refused the credentials, or they may not do what was asked. */
public final class CredentialsRefusedException extends BackendException {
    public CredentialsRefusedException(String location, String detail) {
        super(Kind.REFUSED, location + " refused access (" + detail + "); check the access key and secret, and that the key "
                + "may list, read and write the bucket");
    }
}
