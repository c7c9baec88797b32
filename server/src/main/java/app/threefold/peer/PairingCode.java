package app.threefold.peer;

import app.threefold.peer.PairingRefusedException.Reason;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/**
 * What a host B hands to a guest A to pair (docs/peers.md, step 1): {@code TF1-} and the unpadded
 * base64url of a JSON object naming B's address, its host key's fingerprint, the one-time token,
 * the expiry, the space offered and B's name.
 *
 * @param hostKey OpenSSH's {@code SHA256:…} fingerprint of B's host key
 * @param token   unpadded base64url of 32 random bytes
 */
public record PairingCode(String host, int port, String hostKey, String token, Instant expires, long quota, String name) {
    static final String PREFIX = "TF1-";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The code as people copy it. */
    public String encode() {
        ObjectNode o = JSON.createObjectNode();
        o.put("v", 1);
        o.put("host", host);
        o.put("port", port);
        o.put("hostKey", hostKey);
        o.put("token", token);
        o.put("expires", expires.truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("quota", quota);
        o.put("name", name);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(o.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a code as pasted (spaces and line breaks around it are ignored).
     *
     * @throws PairingRefusedException {@code malformed} with what is wrong
     */
    public static PairingCode parse(String text) {
        String t = text == null ? "" : text.replaceAll("\\s+", "");
        if (!t.startsWith(PREFIX)) {
            throw malformed("it does not start with " + PREFIX);
        }
        JsonNode o;
        try {
            o = JSON.readTree(Base64.getUrlDecoder().decode(t.substring(PREFIX.length())));
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw malformed("it is cut short or has a typo");
        }
        if (o == null || !o.isObject() || o.path("v").asInt() != 1) {
            throw malformed("it is not version 1 of the pairing code; update this appliance");
        }
        for (String field : new String[] {"host", "hostKey", "token", "expires", "name"}) {
            if (!o.path(field).isTextual() || o.path(field).asText().isBlank()) {
                throw malformed("it has no " + field);
            }
        }
        int port = o.path("port").asInt(-1);
        long quota = o.path("quota").asLong(-1);
        if (port < 1 || port > 65535 || quota <= 0) {
            throw malformed("its port or space is not a positive number");
        }
        if (!o.path("hostKey").asText().startsWith("SHA256:")) {
            throw malformed("its host key is not a SHA256 fingerprint");
        }
        Instant expires;
        try {
            expires = Instant.parse(o.path("expires").asText());
        } catch (DateTimeParseException e) {
            throw malformed("its expiry is not a time");
        }
        return new PairingCode(o.path("host").asText(), port, o.path("hostKey").asText(), o.path("token").asText(), expires,
                quota, o.path("name").asText());
    }

    /**
     * @throws PairingRefusedException {@code expired} once the expiry has passed
     */
    public void checkNotExpired(Clock clock) {
        if (!clock.instant().isBefore(expires)) {
            throw new PairingRefusedException(Reason.EXPIRED, "This pairing code expired at " + expires
                    + "; ask the owner of " + name + " for a new one (Friends → Invite a friend).");
        }
    }

    private static PairingRefusedException malformed(String why) {
        return new PairingRefusedException(Reason.MALFORMED, "This is not a valid pairing code (" + why
                + "); copy the whole code, starting with " + PREFIX + ", again.");
    }

    /** JSON of one line on the wire; package-private helpers for the handshake's messages. */
    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
