package app.threefold.device;

/** A change would leave a device with neither a password nor a key, so it could never log in again. */
public class LastLoginMethodException extends DeviceException {

    public LastLoginMethodException(String name, String what) {
        super("Cannot " + what + " of device '" + name + "': it would have neither a password nor a key and could not"
                + " log in. Add a key or set a password first, or disable the device instead.");
    }
}
