package app.threefold.crypto;

import app.threefold.ThreefoldException;

/**
 * A sealed message did not pass its MAC check: its bytes were changed (disk or transfer
 * corruption, tampering) or it was opened with another repository's key. Nothing of it was
 * decrypted.
 */
public final class AuthenticationFailedException extends ThreefoldException {

    public AuthenticationFailedException() {
        this("data was modified or the key is wrong");
    }

    AuthenticationFailedException(String message) {
        super(Kind.DAMAGED, message + "; if this object belongs to this repository, it is damaged:"
                + " run `threefold check` to see what it affects");
    }
}
