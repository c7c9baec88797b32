package app.threefold.peer;

import java.nio.file.Path;
import java.time.Instant;

/**
 * This appliance's place on a friend's (A's side): where the host is, its pinned host key, the
 * account and the key this appliance logs in with.
 *
 * @param hostKey  the host key fingerprint every connection insists on ({@code SHA256:…})
 * @param keyFile  the private key, OpenSSH format, owner-only; {@code keyFile + ".pub"} beside it
 * @param targetId the copy target made for it, or null until made
 */
public record Pairing(long id, String name, String host, int port, String hostKey, String user, Path keyFile, long quota,
        int graceDays, Long targetId, Instant created) {
}
