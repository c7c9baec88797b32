package app.threefold.crypto;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * restic key files (the objects under {@code keys/}): the master key, sealed with a user key
 * that scrypt derives from the password. The file is JSON:
 * <pre>{"created", "username", "hostname", "kdf": "scrypt", "N", "r", "p", "salt", "data"}</pre>
 * where {@code salt} (64 random bytes) and {@code data} are standard base64, and {@code data}
 * is {@code {"mac":{"k","r"},"encrypt"}} sealed by {@link Crypto} under the derived 64 bytes
 * (32 AES key, 16 MAC k, 16 MAC r). A repository may hold several key files, one per password;
 * each is named by the SHA-256 of its bytes.
 */
public final class KeyFile {

    /** scrypt cost parameters. restic's own default is {@link #DEFAULT}. */
    public record Params(int n, int r, int p) {
        public static final Params DEFAULT = new Params(32768, 8, 1);

        // scrypt needs 128·N·r bytes; a key file read from a copy we do not control must not
        // be able to ask for more memory than an appliance has.
        private static final long MAX_MEMORY = 1L << 30;

        public Params {
            if (n < 2 || Integer.bitCount(n) != 1) {
                throw new IllegalArgumentException("scrypt N must be a power of two above 1, not " + n);
            }
            if (r < 1 || p < 1 || (long) r * p >= 1 << 30) {
                throw new IllegalArgumentException("scrypt r and p must be positive with r·p < 2^30, not r="
                        + r + " p=" + p);
            }
            if (128L * n * r > MAX_MEMORY) {
                throw new IllegalArgumentException("scrypt N=" + n + " r=" + r + " needs more than "
                        + (MAX_MEMORY >> 20) + " MiB of memory");
            }
        }
    }

    private static final int SALT_SIZE = 64;
    private static final int DERIVED_SIZE = 64;
    // Thread-safe once configured, and never reconfigured.
    private static final ObjectMapper JSON = new ObjectMapper();

    private KeyFile() {
    }

    /** Builds a key file that opens {@code key} with {@code password}; returns its bytes (JSON). */
    public static byte[] create(MasterKey key, char[] password, String username, String hostname,
                                Instant created, Params params, SecureRandom random) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(params, "params");
        byte[] salt = new byte[SALT_SIZE];
        random.nextBytes(salt);
        MasterKey userKey = derive(password, salt, params);

        ObjectNode inner = JSON.createObjectNode();
        inner.putObject("mac")
                .put("k", base64(key.macK()))
                .put("r", base64(key.macR()));
        inner.put("encrypt", base64(key.encryption()));
        byte[] plain = bytes(inner);
        byte[] data;
        try {
            data = new Crypto(userKey, random).seal(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }

        // restic's field order, so our files read like restic's own.
        ObjectNode outer = JSON.createObjectNode();
        outer.put("created", created.toString());
        outer.put("username", username);
        outer.put("hostname", hostname);
        outer.put("kdf", "scrypt");
        outer.put("N", params.n());
        outer.put("r", params.r());
        outer.put("p", params.p());
        outer.put("salt", base64(salt));
        outer.put("data", base64(data));
        return bytes(outer);
    }

    /**
     * Recovers the master key from a key file.
     *
     * @throws WrongPasswordException if the password does not open it
     * @throws KeyFileFormatException if the bytes are not a restic scrypt key file
     */
    public static MasterKey open(byte[] keyFile, char[] password) {
        JsonNode outer = parse(keyFile, "the key file");
        String kdf = text(outer, "kdf");
        if (!"scrypt".equals(kdf)) {
            throw new KeyFileFormatException("it uses the key derivation function \"" + kdf
                    + "\", but only scrypt is supported");
        }
        Params params;
        try {
            params = new Params(integer(outer, "N"), integer(outer, "r"), integer(outer, "p"));
        } catch (IllegalArgumentException e) {
            throw new KeyFileFormatException(e.getMessage(), e);
        }
        byte[] salt = binary(outer, "salt");
        byte[] data = binary(outer, "data");

        byte[] plain;
        try {
            plain = Crypto.openOnce(derive(password, salt, params), data);
        } catch (AuthenticationFailedException e) {
            throw new WrongPasswordException();
        }
        try {
            JsonNode inner = parse(plain, "the sealed master key");
            JsonNode mac = inner.path("mac");
            if (!mac.isObject()) {
                throw new KeyFileFormatException("the sealed master key has no \"mac\" object");
            }
            return new MasterKey(binary(inner, "encrypt"), binary(mac, "k"), binary(mac, "r"));
        } catch (IllegalArgumentException e) {
            throw new KeyFileFormatException("the sealed master key is malformed: " + e.getMessage(), e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** scrypt(password, salt) split as restic splits it: 32 bytes AES key, 16 MAC k, 16 MAC r. */
    private static MasterKey derive(char[] password, byte[] salt, Params params) {
        byte[] secret = utf8(password);
        byte[] derived = SCrypt.generate(secret, salt, params.n(), params.r(), params.p(), DERIVED_SIZE);
        try {
            return new MasterKey(Arrays.copyOfRange(derived, 0, 32),
                    Arrays.copyOfRange(derived, 32, 48),
                    Arrays.copyOfRange(derived, 48, 64));
        } finally {
            Arrays.fill(secret, (byte) 0);
            Arrays.fill(derived, (byte) 0);
        }
    }

    /** The password's UTF-8 bytes (what restic hashes), without an intermediate String. */
    private static byte[] utf8(char[] password) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers did not serialize", e);
        }
    }

    private static JsonNode parse(byte[] json, String what) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new KeyFileFormatException(what + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new KeyFileFormatException(what + " is not valid JSON", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new KeyFileFormatException("the field \"" + field + "\" is missing or not a string");
        }
        return value.textValue();
    }

    private static int integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToExactIntegral() || !value.canConvertToInt()) {
            throw new KeyFileFormatException("the field \"" + field + "\" is missing or not an integer");
        }
        return value.intValue();
    }

    private static byte[] binary(JsonNode node, String field) {
        try {
            return Base64.getDecoder().decode(text(node, field));
        } catch (IllegalArgumentException e) {
            throw new KeyFileFormatException("the field \"" + field + "\" is not standard base64", e);
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
