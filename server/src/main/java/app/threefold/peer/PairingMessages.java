package app.threefold.peer;

import app.threefold.peer.PairingRefusedException.Reason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lines of the {@code threefold-pair 1} exchange (docs/peers.md, step 2): A's request on
 * stdin, B's welcome (exit status 0) or refusal (exit status 1) on stdout, one JSON line each.
 * Both sides read and write them here, so they cannot drift apart.
 */
public final class PairingMessages {
    /** The exec command A runs as user {@link #USER}. */
    public static final String COMMAND = "threefold-pair 1";
    /** The SSH user whose password is the token. */
    public static final String USER = "pair";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PairingMessages() {
    }

    /** A's request: its new public key line, its name, its own host key's fingerprint. */
    public record Request(String publicKey, String name, String hostKey) {

        public String line() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("publicKey", publicKey);
            m.put("name", name);
            m.put("hostKey", hostKey);
            return PairingCode.json(m);
        }

        /** @throws PairingRefusedException {@code malformed} for anything but a request line */
        public static Request parse(String line) {
            JsonNode o = read(line);
            if (!o.path("publicKey").isTextual() || !o.path("name").isTextual()) {
                throw new PairingRefusedException(Reason.MALFORMED, "The pairing request has no publicKey or name;"
                        + " the guest appliance speaks another version of the protocol.");
            }
            return new Request(o.path("publicKey").asText(), o.path("name").asText(),
                    o.path("hostKey").isTextual() ? o.path("hostKey").asText() : null);
        }
    }

    /** B's answer: the account A logs in as from now on, the space and B's grace period for deletions. */
    public record Welcome(String user, long quota, int graceDays) {

        public String line() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("user", user);
            m.put("quota", quota);
            m.put("graceDays", graceDays);
            return PairingCode.json(m);
        }
    }

    /** The refusal line B sends for {@code e}. */
    public static String refusal(PairingRefusedException e) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("error", e.reason().word());
        m.put("message", e.getMessage());
        return PairingCode.json(m);
    }

    /**
     * B's answer as A reads it.
     *
     * @throws PairingRefusedException B's refusal, with B's reason and message
     */
    public static Welcome answer(int exitStatus, String line) {
        JsonNode o = read(line);
        if (exitStatus != 0 || o.has("error")) {
            throw new PairingRefusedException(Reason.ofWord(o.path("error").asText()),
                    o.path("message").asText("The host refused the pairing without saying why."));
        }
        if (!o.path("user").isTextual() || !o.path("quota").canConvertToLong()) {
            throw new PairingRefusedException(Reason.MALFORMED, "The host's answer names no account; is it a Threefold appliance?");
        }
        return new Welcome(o.path("user").asText(), o.path("quota").asLong(), o.path("graceDays").asInt(30));
    }

    private static JsonNode read(String line) {
        try {
            JsonNode o = line == null ? null : JSON.readTree(line);
            if (o == null || !o.isObject()) {
                throw new IOException("not a JSON object");
            }
            return o;
        } catch (IOException e) {
            throw new PairingRefusedException(Reason.MALFORMED, "The other appliance sent something that is not a pairing"
                    + " message (" + (line == null ? "nothing" : "not JSON") + "); is it a Threefold appliance of this version?");
        }
    }
}
