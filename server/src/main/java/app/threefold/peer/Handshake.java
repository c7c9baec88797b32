package app.threefold.peer;

import app.threefold.peer.PairingMessages.Welcome;
import java.nio.file.Path;

/**
 * A's side of step 2 of docs/peers.md, over SSH (the {@code sshd} module implements it; the engine
 * knows no SSH): make the pairing's key pair, connect, insist on the host key the code names,
 * prove the token and register the key.
 */
public interface Handshake {

    /**
     * @param keyFile where to write the new ed25519 private key (OpenSSH format, 0600; {@code .pub} beside it)
     * @param ourName this appliance's name as the host will list it
     * @return the account the host made
     * @throws PairingRefusedException {@code hostkey} for another host key, {@code unreachable}, or the host's refusal
     */
    Welcome pair(PairingCode code, Path keyFile, String ourName);
}
