package app.threefold.sshd;

import app.threefold.peer.Guests;
import app.threefold.peer.PairingMessages;
import app.threefold.peer.PairingRefusedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.server.command.AbstractCommandSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * B's end of {@code threefold-pair 1} (docs/peers.md step 2): reads A's one JSON line, redeems the
 * token the {@code pair} login proved, answers one JSON line and exits 0, or 1 with a refusal.
 * It runs on a thread of its own: reading stdin would block MINA's I/O thread.
 */
final class PairCommand extends AbstractCommandSupport {
    private static final Logger log = LoggerFactory.getLogger(PairCommand.class);
    /** A request line is a key and two names; anything longer is not one. */
    private static final int MAX_LINE = 16 * 1024;
    private final Guests guests;
    private final String token;
    private final String address;

    PairCommand(Guests guests, String token, String address) {
        super(PairingMessages.COMMAND, null);
        this.guests = guests;
        this.token = token;
        this.address = address;
    }

    @Override
    public void run() {
        String answer;
        int status;
        try {
            PairingMessages.Welcome welcome = guests.redeem(token, PairingMessages.Request.parse(readLine(getInputStream())), address);
            log.info("paired a guest from {}: account {}", address, welcome.user());
            answer = welcome.line();
            status = 0;
        } catch (PairingRefusedException e) {
            log.warn("refused a pairing from {}: {}", address, e.getMessage());
            answer = PairingMessages.refusal(e);
            status = 1;
        } catch (IOException | RuntimeException e) {
            log.error("a pairing from {} failed", address, e);
            answer = PairingMessages.refusal(new PairingRefusedException(PairingRefusedException.Reason.UNKNOWN,
                    "The host could not complete the pairing (its log says why); try again, or ask for a new code."));
            status = 1;
        }
        try {
            OutputStream out = getOutputStream();
            out.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            log.warn("could not answer the pairing from {}: {}", address, e.getMessage());
        }
        onExit(status, status == 0 ? "paired" : "refused");
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (line.size() >= MAX_LINE) {
                throw new PairingRefusedException(PairingRefusedException.Reason.MALFORMED, "The pairing request is too long.");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
