package app.threefold.device;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;

/**
 * One OpenSSH public key line ({@code type base64 [comment]}), validated: ed25519, ECDSA
 * (nistp256/384/521) or RSA of at least 2048 bits. The fingerprint is OpenSSH's
 * {@code SHA256:...} form, the same that {@code ssh-keygen -lf} prints.
 */
public record AuthorizedKey(String type, byte[] blob, String comment) {
    static final int MIN_RSA_BITS = 2048;
    private static final Set<String> ECDSA = Set.of("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521");

    /** Parses and validates a key line. */
    public static AuthorizedKey parse(String line) {
        if (line == null || line.isBlank()) {
            throw new DeviceException("The public key is empty: paste one line of an OpenSSH .pub file, e.g. ~/.ssh/id_ed25519.pub.");
        }
        String[] parts = line.strip().split("\\s+", 3);
        if (parts.length < 2) {
            throw new DeviceException("The public key is not an OpenSSH key line (\"TYPE BASE64 [comment]\"); paste the whole line of the .pub file.");
        }
        String type = parts[0];
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new DeviceException("The public key's base64 part is damaged; copy the .pub file's line again.");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob))) {
            String inner = new String(string(in), StandardCharsets.US_ASCII);
            if (!inner.equals(type)) {
                throw new DeviceException("The public key says it is " + type + " but holds a " + inner + " key; copy the .pub file's line again.");
            }
            if (type.equals("ssh-ed25519")) {
                if (string(in).length != 32) {
                    throw new DeviceException("The ed25519 key is malformed (its key is not 32 bytes).");
                }
            } else if (type.equals("ssh-rsa")) {
                string(in); // public exponent
                int bits = new BigInteger(string(in)).bitLength();
                if (bits < MIN_RSA_BITS) {
                    throw new DeviceException("The RSA key has " + bits + " bits; use at least " + MIN_RSA_BITS
                            + " (better: ssh-keygen -t ed25519).");
                }
            } else if (ECDSA.contains(type)) {
                string(in);
                if (string(in).length == 0) {
                    throw new DeviceException("The ECDSA key is malformed (no point).");
                }
            } else {
                throw new DeviceException("Key type " + type + " is not accepted; use ed25519 (ssh-keygen -t ed25519), ECDSA or RSA of "
                        + MIN_RSA_BITS + "+ bits.");
            }
            if (in.available() != 0) {
                throw new DeviceException("The " + type + " key has trailing bytes; copy the .pub file's line again.");
            }
        } catch (IOException e) {
            throw new DeviceException("The " + type + " key is truncated; copy the .pub file's line again.");
        }
        return new AuthorizedKey(type, blob, parts.length > 2 ? parts[2] : "");
    }

    private static byte[] string(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length");
        }
        return in.readNBytes(n);
    }

    /** The OpenSSH fingerprint of a key blob: {@code SHA256:} and unpadded base64. */
    public static String fingerprint(byte[] blob) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String fingerprint() {
        return fingerprint(blob);
    }

    /** The line as stored: type, base64, comment. */
    public String line() {
        String base = type + " " + Base64.getEncoder().encodeToString(blob);
        return comment.isEmpty() ? base : base + " " + comment;
    }
}
