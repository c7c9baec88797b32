package app.threefold.sshd;

import app.threefold.peer.Guests;
import app.threefold.peer.PairingMessages;
import java.security.PublicKey;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logins of paired appliances before those of devices: user {@code pair} with an invite's token
 * as its password (docs/peers.md step 2), and guests with their key only. What a session is
 * becomes one of its attributes, which alone decides what it may run; every other login is the
 * devices' authenticator's, unchanged.
 */
final class PeerAuthenticator implements PasswordAuthenticator, PublickeyAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(PeerAuthenticator.class);
    /** Set on a {@code pair} login: the token it proved. */
    static final AttributeKey<String> PAIR_TOKEN = new AttributeKey<>();
    /** Set on a guest's login: its account. */
    static final AttributeKey<String> GUEST = new AttributeKey<>();

    private final Guests guests;
    private final DeviceAuthenticator devices;

    PeerAuthenticator(Guests guests, DeviceAuthenticator devices) {
        this.guests = guests;
        this.devices = devices;
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        forget(session);
        // A token is 256 random bits: it cannot be guessed, so a wrong one goes on to the devices'
        // check (a device may be called "pair"), whose throttle counts it.
        if (PairingMessages.USER.equals(username) && guests.knownToken(password)) {
            session.setAttribute(PAIR_TOKEN, password);
            log.info("pairing login from {}", DeviceAuthenticator.address(session));
            return true;
        }
        return devices.authenticate(username, password, session);
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        forget(session);
        if (Guests.guestName(username) && guests.authenticateByKey(username, KeyUtils.getFingerPrint(key))) {
            session.setAttribute(GUEST, username);
            return true;
        }
        return devices.authenticate(username, key, session);
    }

    /**
     * Each attempt starts afresh, so the attributes say what the attempt that succeeded proved: a
     * guest's public key offered (it is no secret) before a device's login must not make it a guest.
     */
    private static void forget(ServerSession session) {
        session.removeAttribute(PAIR_TOKEN);
        session.removeAttribute(GUEST);
    }

    /** The guest account a session logged in as, or null for any other session. */
    static String guest(ServerSession session) {
        String guest = session.getAttribute(GUEST);
        return guest != null && guest.equals(session.getUsername()) ? guest : null;
    }

    /** The token a {@code pair} session proved, or null for any other session. */
    static String pairToken(ServerSession session) {
        return PairingMessages.USER.equals(session.getUsername()) ? session.getAttribute(PAIR_TOKEN) : null;
    }
}
