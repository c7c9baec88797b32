package app.threefold.mirror;

import app.threefold.backend.SftpSettings;
import java.nio.file.Path;

/**
 * An SFTP server target's settings as a person typed them (in the panel or the API), before they
 * are checked; {@link Targets} reads them into the backend's settings and refuses what cannot be
 * one with a message naming the field.
 *
 * @param port     as typed; blank means 22
 * @param path     the repository's folder on the server: relative to the login folder, or absolute; blank for the login folder
 * @param hostKey  the server's host key fingerprint, {@code SHA256:…}
 * @param keyFile  the private key file on this appliance (absolute), or blank
 * @param password the password, or blank; when changing a target, blank keeps the stored one
 */
public record ServerSettings(String host, String port, String user, String path, String hostKey, String keyFile,
                             String password) {

    @Override
    public String toString() {
        return "ServerSettings[host=" + host + ", port=" + port + ", user=" + user + ", path=" + path + ", hostKey="
                + hostKey + ", keyFile=" + keyFile + ", password=" + (keepsPassword() ? "(none)" : "***") + "]";
    }

    boolean keepsPassword() {
        return password == null || password.isEmpty();
    }

    /**
     * The checked settings; {@code passwordStandIn} stands for a stored password (it is never sent).
     *
     * @throws InvalidTargetException naming what to correct
     */
    SftpSettings checked(String passwordStandIn) {
        if (host == null || host.isBlank()) {
            throw new InvalidTargetException("Give the SFTP server's host name or address, e.g. nas.example.net.");
        }
        if (user == null || user.isBlank()) {
            throw new InvalidTargetException("Give the user name to log in to " + host.strip() + " with.");
        }
        int portNumber;
        try {
            portNumber = port == null || port.isBlank() ? 22 : Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            throw new InvalidTargetException("Give the SFTP port as a number, e.g. 22 or 2222; '" + port + "' is not one.");
        }
        Path key = null;
        if (keyFile != null && !keyFile.isBlank()) {
            key = Path.of(keyFile.strip());
            if (!key.isAbsolute()) {
                throw new InvalidTargetException("Give the key file as an absolute path on this appliance, e.g."
                        + " /srv/threefold/peers/sam/id_ed25519; '" + keyFile + "' is not one.");
            }
        }
        String pw = keepsPassword() ? passwordStandIn : password;
        if (key == null && (pw == null || pw.isEmpty())) {
            throw new InvalidTargetException("Give a key file or a password to log in to " + host.strip() + ".");
        }
        try {
            return new SftpSettings(user.strip(), host.strip(), portNumber, path == null ? "" : path.strip(),
                    hostKey == null ? "" : hostKey, key, pw);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new InvalidTargetException(Character.toUpperCase(m.charAt(0)) + m.substring(1) + ".", e);
        }
    }
}
