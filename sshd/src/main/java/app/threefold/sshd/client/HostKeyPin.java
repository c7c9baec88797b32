package app.threefold.sshd.client;

import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;

/**
 * Accepts exactly one host key, named by its OpenSSH SHA256 fingerprint, and remembers the key a
 * refused server showed, so the refusal can name both. The check runs during key exchange, before
 * any password or key is offered.
 */
public final class HostKeyPin implements ServerKeyVerifier {
    private final String pinned;
    private final AtomicReference<String> refused = new AtomicReference<>();

    public HostKeyPin(String pinned) {
        this.pinned = Objects.requireNonNull(pinned, "pinned");
    }

    /** {@code SHA256:} and the unpadded base64 of the key's SHA-256, as {@code ssh-keygen -l} prints it. */
    public static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        String shown = fingerprint(serverKey);
        if (shown.equals(pinned)) {
            return true;
        }
        refused.set(shown);
        return false;
    }

    /** The fingerprint of the last key refused, or null if none was. */
    public String refused() {
        return refused.get();
    }

    public String pinned() {
        return pinned;
    }
}
