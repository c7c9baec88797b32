package app.threefold.device;

import java.util.List;

/**
 * What to change about a device in one go; a null field stays as it is. An empty password clears
 * it; {@code publicKeys} (OpenSSH key lines) replaces the device's keys.
 */
public record DeviceChange(char[] password, List<String> publicKeys, Long quotaBytes, Boolean enabled) {

    public DeviceChange {
        publicKeys = publicKeys == null ? null : List.copyOf(publicKeys);
    }
}
