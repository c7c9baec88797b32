package app.threefold.device;

import app.threefold.ThreefoldException.Kind;

/** No device of that name has an SFTP account (it was never added, or it was deleted). */
public class UnknownDeviceException extends DeviceException {

    public UnknownDeviceException(String name) {
        super(Kind.NOT_FOUND, "There is no device named '" + name + "'; list them with GET /api/v1/devices.");
    }
}
