package app.threefold.device;

import java.util.regex.Pattern;

/**
 * A device's name: its SFTP login, the hostname of its snapshots and a folder name on restore, so
 * it is checked once where it enters (a form, the API, a command line) and travels typed after.
 */
public record DeviceName(String value) {
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** @throws DeviceException if {@code value} is not 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit */
    public DeviceName {
        if (!isValid(value)) {
            throw new DeviceException("Invalid device name '" + value + "': use 1 to 64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit (e.g. anna-laptop).");
        }
    }

    public static DeviceName of(String value) {
        return new DeviceName(value);
    }

    public static boolean isValid(String value) {
        return value != null && SHAPE.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
