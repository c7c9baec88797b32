package app.threefold.sshd;

import app.threefold.device.Devices;
import app.threefold.login.LoginThrottle;
import app.threefold.login.LoginThrottle.Attempt;
import app.threefold.login.LoginThrottle.Block;
import app.threefold.login.LoginThrottle.Realm;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password and public-key logins of devices under the appliance's {@link LoginThrottle}, logged
 * and audited: while an address or a device name is blocked, every login is refused, even with the
 * right password or key.
 */
final class DeviceAuthenticator implements PasswordAuthenticator, PublickeyAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(DeviceAuthenticator.class);
    private final Devices devices;
    private final LoginThrottle throttle;

    DeviceAuthenticator(Devices devices, LoginThrottle throttle) {
        this.devices = devices;
        this.throttle = throttle;
    }

    static String address(ServerSession session) {
        SocketAddress a = session.getClientAddress();
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        Attempt attempt = new Attempt(address(session), Realm.DEVICES, username);
        Optional<Block> block = throttle.attempt(attempt);
        if (block.isPresent()) {
            blocked(attempt, "password", block.get());
            return false;
        }
        boolean right;
        try {
            right = Devices.validName(username) && devices.authenticateByPassword(username, password.toCharArray());
        } catch (RuntimeException e) {
            throttle.abandoned(attempt);
            throw e;
        }
        if (right) {
            throttle.succeeded(attempt);
            return true;
        }
        throttle.failed(attempt);
        log.warn("SFTP login failed for '{}' from {} (password): wrong device name or password", username, attempt.address());
        devices.audit(actor(username), "sftp.login-failed",
                Map.of("address", attempt.address(), "method", "password", "reason", "wrong device name or password"));
        return false;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        Attempt attempt = new Attempt(address(session), Realm.DEVICES, username);
        // Keys cannot be guessed, so a key that does not fit is no failure; a block stops keys too.
        Optional<Block> block = throttle.blocked(attempt);
        if (block.isPresent()) {
            blocked(attempt, "publickey", block.get());
            return false;
        }
        String fingerprint = KeyUtils.getFingerPrint(key);
        if (Devices.validName(username) && devices.authenticateByKey(username, fingerprint)) {
            return true;
        }
        // Clients offer each of their keys in turn; only the log hears of the ones that do not fit.
        log.info("SFTP key {} is not authorized for device '{}' (from {})", fingerprint, username, attempt.address());
        return false;
    }

    private void blocked(Attempt attempt, String method, Block block) {
        String by = block.byAddress() ? "address" : "device";
        log.warn("SFTP login refused for '{}' from {} ({}): blocked until {} after {} failed logins within {} minutes for this {}",
                attempt.name(), attempt.address(), method, block.until(), LoginThrottle.MAX_FAILURES,
                LoginThrottle.WINDOW.toMinutes(), by);
        // The activity log gets the block's first refusal; a guesser who goes on fills only the log file.
        if (block.first()) {
            devices.audit(actor(attempt.name()), "sftp.login-blocked", Map.of("address", attempt.address(), "method", method,
                    "until", block.until().toString(), "blockedFor", by));
        }
    }

    /** Audit rows name a device only by a name it could have; anything else was made up by the client. */
    private static String actor(String username) {
        return Devices.validName(username) ? username : "?";
    }
}
