package app.threefold.device;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * An ed25519 key pair made for a device, so nobody has to run {@code ssh-keygen}: the public half
 * as an OpenSSH key line (what {@link Devices#addKey} authorizes), the private half in OpenSSH's
 * own unencrypted format ({@code -----BEGIN OPENSSH PRIVATE KEY-----}), which OpenSSH, rclone and
 * Windows' OpenSSH read. The appliance hands the private half out once and never writes it
 * anywhere: {@link #toString()} leaves it out so no log line can carry it.
 */
public record DeviceKeyPair(String publicKey, String privateKey) {

    private static final String TYPE = "ssh-ed25519";

    /** A fresh pair whose key line ends with {@code comment} (e.g. "threefold laptop"). */
    public static DeviceKeyPair generate(SecureRandom random, String comment) {
        KeyPair pair;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(255, random);
            pair = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime cannot make ed25519 keys (it has since Java 15)", e);
        }
        // X.509 and PKCS#8 encodings of ed25519 end with the raw 32-byte key (RFC 8410).
        byte[] x509 = pair.getPublic().getEncoded();
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        byte[] pub = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
        byte[] seed = Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);

        byte[] blob = wire(w -> {
            w.string(TYPE.getBytes(StandardCharsets.US_ASCII));
            w.string(pub);
        });
        String line = TYPE + " " + Base64.getEncoder().encodeToString(blob) + " " + comment;

        // PROTOCOL.key: magic, cipher "none", kdf "none", empty kdf options, one key, its public
        // blob, then the private section padded to the 8-byte block of the "none" cipher.
        byte[] check = new byte[4];
        random.nextBytes(check);
        byte[] secret = new byte[64];
        System.arraycopy(seed, 0, secret, 0, 32);
        System.arraycopy(pub, 0, secret, 32, 32);
        byte[] privateSection = wire(w -> {
            w.raw(check);
            w.raw(check);
            w.string(TYPE.getBytes(StandardCharsets.US_ASCII));
            w.string(pub);
            w.string(secret);
            w.string(comment.getBytes(StandardCharsets.UTF_8));
            for (int i = 1; w.size() % 8 != 0; i++) {
                w.raw(new byte[] {(byte) i});
            }
        });
        byte[] file = wire(w -> {
            w.raw("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII));
            w.string("none".getBytes(StandardCharsets.US_ASCII));
            w.string("none".getBytes(StandardCharsets.US_ASCII));
            w.string(new byte[0]);
            w.raw(new byte[] {0, 0, 0, 1});
            w.string(blob);
            w.string(privateSection);
        });
        Arrays.fill(secret, (byte) 0);
        Arrays.fill(seed, (byte) 0);
        String body = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(file);
        return new DeviceKeyPair(line, "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n");
    }

    @Override
    public String toString() {
        return "DeviceKeyPair[" + publicKey + ", private key not shown]";
    }

    private interface Writing {
        void write(Wire w);
    }

    private static byte[] wire(Writing writing) {
        Wire w = new Wire();
        writing.write(w);
        return w.toByteArray();
    }

    /** SSH wire encoding: uint32 big-endian lengths before strings. */
    private static final class Wire extends ByteArrayOutputStream {
        void raw(byte[] b) {
            write(b, 0, b.length);
        }

        void string(byte[] b) {
            raw(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8), (byte) b.length});
            raw(b);
        }
    }
}
