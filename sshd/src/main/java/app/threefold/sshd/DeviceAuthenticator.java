package app.threefold.sshd;

import app.threefold.device.Devices;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Password and public-key logins of devices, rate-limited per source address, logged and audited. */
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
        String address = address(session);
        if (throttle.blocked(address)) {
            refused(username, address, "password", "too many failed logins from this address; wait a minute");
            return false;
        }
        if (Devices.validName(username) && devices.authenticateByPassword(username, password.toCharArray())) {
            return true;
        }
        throttle.failed(address);
        refused(username, address, "password", "wrong device name or password");
        return false;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        String address = address(session);
        if (throttle.blocked(address)) {
            refused(username, address, "publickey", "too many failed logins from this address; wait a minute");
            return false;
        }
        String fingerprint = KeyUtils.getFingerPrint(key);
        if (Devices.validName(username) && devices.authenticateByKey(username, fingerprint)) {
            return true;
        }
        // Clients offer each of their keys in turn; an unknown key is a failure but counts lightly.
        log.info("SFTP key {} is not authorized for device '{}' (from {})", fingerprint, username, address);
        return false;
    }

    private void refused(String username, String address, String method, String why) {
        log.warn("SFTP login refused for '{}' from {} ({}): {}", username, address, method, why);
        devices.audit(Devices.validName(username) ? username : "?", "sftp.login-refused",
                Map.of("address", address, "method", method, "reason", why));
    }
}
