package app.threefold.restore;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldException;

/**
 * A restore target was refused before anything was written: not an absolute path, not under a
 * declared NAS share, inside the appliance's data directory, or not empty. The message names
 * the folder and says where to declare shares.
 */
public class RestoreTargetException extends ThreefoldException {

    public RestoreTargetException(String message) {
        super(Kind.BAD_REQUEST, message);
    }
}
