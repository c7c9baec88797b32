package app.threefold.device;

import app.threefold.ThreefoldException;

/** A device operation was refused: a bad name, a weak password, an unusable key, an unknown device. */
public class DeviceException extends ThreefoldException {

    /** A rule about devices refuses the request ({@link Kind#REFUSED}); the message names the rule. */
    public DeviceException(String message) {
        super(Kind.REFUSED, message);
    }

    protected DeviceException(Kind kind, String message) {
        super(kind, message);
    }
}
