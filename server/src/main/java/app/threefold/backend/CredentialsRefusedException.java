package app.threefold.backend;

import java.io.IOException;

/** The server refused the credentials, or they may not do what was asked. */
public final class CredentialsRefusedException extends IOException {
    public CredentialsRefusedException(String location, String detail) {
        super(location + " refused access (" + detail + "); check the access key and secret, and that the key "
                + "may list, read and write the bucket");
    }
}
