package app.threefold.appliance;

import app.threefold.backend.InvalidLocationException;
import app.threefold.backend.Location;
import app.threefold.sshd.client.MinaSftpBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --key FILE --host-key SHA256:…}: how a command that reads a copy logs in to one at a
 * friend's NAS ({@code sftp://} locations), and the parsing of that location with them.
 */
final class SftpLoginOptions {

    @Option(names = "--key", paramLabel = "FILE",
            description = "For sftp://: the private key to log in with (the pairing key, DATADIR/peers/…/id_ed25519)."
                    + " Servers that take a password read it from THREEFOLD_SFTP_PASSWORD instead.")
    Path keyFile;

    @Option(names = "--host-key", paramLabel = "SHA256:…",
            description = "For sftp://: the server's host key fingerprint; any other key is refused.")
    String hostKey;

    /** Parses LOCATION as given to {@code option}; a refusal names that option. */
    Location parse(String option, String location, Map<String, String> env, MinaSftpBackends sftp) {
        Location where;
        try {
            where = Location.parse(location, env, new Location.SftpAccess(hostKey, keyFile,
                    env.get("THREEFOLD_SFTP_PASSWORD"), sftp));
        } catch (InvalidLocationException e) {
            throw new CommandRefusedException(option + " " + e.getMessage(), e);
        }
        if (keyFile != null && !Files.isRegularFile(keyFile)) {
            throw new CommandRefusedException("--key " + keyFile + " is not a file; give the private key file (the"
                    + " pairing key, DATADIR/peers/…/id_ed25519)");
        }
        return where;
    }
}
