package app.threefold.device;

import app.threefold.ThreefoldException;

/** A device operation was refused: a bad name, a weak password, an unusable key, an unknown device. */
public class DeviceException extends ThreefoldException {

    public DeviceException(String message) {
        super(message);
    }
}
