package app.threefold.backend;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a repository on an SFTP server is and how to log in: a paired friend's Threefold (a guest
 * account whose root is its folder) or any SFTP server. The server's host key is pinned by its
 * OpenSSH SHA256 fingerprint; any other key is refused before a password or key is offered.
 *
 * @param user     the account
 * @param host     DNS name or address
 * @param port     1 to 65535
 * @param path     the repository's folder: relative to the account's login folder, or absolute
 *                 when it starts with {@code /}; empty for the login folder itself
 * @param hostKey  {@code SHA256:} and the unpadded base64 of the SHA-256 of the host key, as
 *                 {@code ssh-keygen -l} prints it
 * @param keyFile  an OpenSSH private key (ed25519) to log in with, or null
 * @param password a password to log in with (generic servers), or null; never in {@link #toString()}
 */
public record SftpSettings(String user, String host, int port, String path, String hostKey, Path keyFile,
                           String password) {

    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");

    public SftpSettings {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(hostKey, "hostKey");
        if (user.isBlank() || user.chars().anyMatch(c -> c <= ' ' || c == '@' || c == '/')) {
            throw new IllegalArgumentException("give the SFTP user name without blanks, '@' or '/': '" + user + "'");
        }
        if (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == '/')) {
            throw new IllegalArgumentException("give the SFTP server's host name or address: '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("an SFTP port is 1 to 65535, not " + port);
        }
        hostKey = hostKey.strip();
        if (!FINGERPRINT.matcher(hostKey).matches()) {
            throw new IllegalArgumentException("give the server's host key as its SHA256 fingerprint, e.g."
                    + " SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s (`ssh-keygen -lf` on the server's"
                    + " host key prints it); '" + hostKey + "' is not one");
        }
        if (keyFile == null && (password == null || password.isEmpty())) {
            throw new IllegalArgumentException("give a key file (or a password) to log in to " + user + "@" + host);
        }
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
    }

    /** The same place and login with another path (for tests and subfolders). */
    public SftpSettings withPath(String other) {
        return new SftpSettings(user, host, port, other, hostKey, keyFile, password);
    }

    /** {@code sftp://USER@HOST:PORT/PATH}, as {@code --repo} takes it; an absolute path gets a second slash. */
    public String display() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "sftp://" + user + "@" + h + ":" + port + "/" + path;
    }

    /** Restic's name for the same repository (with {@code -o sftp.command=…} giving port and key). */
    public String resticRepository() {
        String where = path.isEmpty() ? "." : path;
        return "sftp:" + user + "@" + host.toLowerCase(Locale.ROOT) + ":" + where;
    }

    @Override
    public String toString() {
        return "SftpSettings[" + display() + ", hostKey=" + hostKey + ", keyFile=" + keyFile
                + (password == null ? "" : ", password=****") + "]";
    }
}
