package app.threefold.restore;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldException;

/** A folder the admin wanted to declare as a restore share was refused; the declared list is unchanged. */
public class InvalidRestoreFolderException extends ThreefoldException {

    public InvalidRestoreFolderException(String message) {
        super(Kind.REFUSED, message);
    }
}
