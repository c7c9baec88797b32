package app.threefold.crypto;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption exactly as restic does it:
 * {@code IV(16) || AES-256-CTR(plaintext) || Poly1305-AES(16)}, where the MAC covers the
 * ciphertext only and uses the IV as its nonce. Encrypt-then-MAC: {@link #open} checks the MAC
 * before it decrypts anything. Thread-safe; one instance serves a whole repository.
 */
public final class Crypto {

    /** Bytes a sealed message has beyond its plaintext: the IV and the MAC. */
    public static final int OVERHEAD = 32;

    static final int IV_SIZE = 16;
    static final int MAC_SIZE = 16;
    private static final int CTR_SLICE = 16 * 1024;

    private final SecretKeySpec encryptionKey;
    private final Poly1305 poly1305;
    private final SecureRandom random;
    // javax.crypto.Cipher is not thread-safe, and building one per call made AES-CTR about
    // 4x slower on 4 KiB blobs (and 2x on 1 MiB) than reusing one per thread.
    private final ThreadLocal<Cipher> ctr;
    private final ThreadLocal<Cipher> macAes;

    public Crypto(MasterKey key, SecureRandom random) {
        this(Objects.requireNonNull(random, "random"), key);
    }

    /** {@code random} is null for an instance that only opens. */
    private Crypto(SecureRandom random, MasterKey key) {
        this.encryptionKey = new SecretKeySpec(key.encryption(), "AES");
        this.poly1305 = new Poly1305(key.macR(), 0);
        this.random = random;
        SecretKeySpec macKey = new SecretKeySpec(key.macK(), "AES");
        this.ctr = ThreadLocal.withInitial(() -> cipher("AES/CTR/NoPadding"));
        this.macAes = ThreadLocal.withInitial(() -> {
            Cipher aes = cipher("AES/ECB/NoPadding");
            try {
                aes.init(Cipher.ENCRYPT_MODE, macKey);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM rejects a 128-bit AES key", e);
            }
            return aes;
        });
    }

    /** Opens one message with a key that will not seal anything (a key file's user key). */
    static byte[] openOnce(MasterKey key, byte[] sealed) {
        return new Crypto(null, key).open(sealed);
    }

    /** Encrypts and authenticates {@code plain[off..off+len)}; returns {@code IV || ciphertext || MAC}. */
    public byte[] seal(byte[] plain, int off, int len) {
        Objects.checkFromIndexSize(off, len, plain.length);
        if (random == null) {
            throw new IllegalStateException("this Crypto only opens messages");
        }
        byte[] out = new byte[len + OVERHEAD];
        byte[] iv = new byte[IV_SIZE];
        random.nextBytes(iv);
        System.arraycopy(iv, 0, out, 0, IV_SIZE);
        crypt(Cipher.ENCRYPT_MODE, iv, plain, off, len, out, IV_SIZE);
        mac(out, 0, out, IV_SIZE, len, out, IV_SIZE + len);
        return out;
    }

    public byte[] seal(byte[] plain) {
        return seal(plain, 0, plain.length);
    }

    /**
     * Checks and decrypts {@code IV || ciphertext || MAC} in {@code sealed[off..off+len)}.
     *
     * @throws AuthenticationFailedException if the MAC does not match (or the message is too
     *     short to have one); no plaintext is released then
     */
    public byte[] open(byte[] sealed, int off, int len) {
        Objects.checkFromIndexSize(off, len, sealed.length);
        if (len < OVERHEAD) {
            throw new AuthenticationFailedException("a sealed message of " + len
                    + " bytes is shorter than its IV and MAC (" + OVERHEAD + " bytes)");
        }
        int ctLen = len - OVERHEAD;
        byte[] expected = new byte[MAC_SIZE];
        mac(sealed, off, sealed, off + IV_SIZE, ctLen, expected, 0);
        byte[] actual = Arrays.copyOfRange(sealed, off + IV_SIZE + ctLen, off + len);
        if (!MessageDigest.isEqual(expected, actual)) { // constant-time
            throw new AuthenticationFailedException();
        }
        byte[] iv = Arrays.copyOfRange(sealed, off, off + IV_SIZE);
        byte[] plain = new byte[ctLen];
        crypt(Cipher.DECRYPT_MODE, iv, sealed, off + IV_SIZE, ctLen, plain, 0);
        return plain;
    }

    public byte[] open(byte[] sealed) {
        return open(sealed, 0, sealed.length);
    }

    /** Poly1305-AES: the Poly1305 tag of {@code msg} under r with {@code s = AES-128_k(nonce)}. */
    void mac(byte[] nonce, int nonceOff, byte[] msg, int off, int len, byte[] out, int outOff) {
        byte[] s = new byte[16];
        try {
            macAes.get().doFinal(nonce, nonceOff, IV_SIZE, s, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed on one block", e);
        }
        poly1305.tag(msg, off, len, s, 0, out, outOff);
    }

    private void crypt(int mode, byte[] iv, byte[] in, int off, int len, byte[] out, int outOff) {
        Cipher cipher = ctr.get();
        try {
            // CTR counts the whole 16-byte IV up as one big-endian number, as Go's cipher.NewCTR does.
            cipher.init(mode, encryptionKey, new IvParameterSpec(iv));
            // HotSpot's AES-CTR intrinsic only replaces the Java loop once the per-call method
            // is hot; whole-MiB calls take minutes of backup to get there and run ~10x slower
            // until then. Slices make it hot within milliseconds, and CTR is a stream, so the
            // bytes are the same.
            int written = 0;
            for (int done = 0; done < len; done += CTR_SLICE) {
                int n = Math.min(CTR_SLICE, len - done);
                written += cipher.update(in, off + done, n, out, outOff + done);
            }
            written += cipher.doFinal(out, outOff + written);
            if (written != len) {
                throw new IllegalStateException("AES-CTR returned " + written + " bytes for " + len);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-CTR failed; this JVM must support 256-bit AES", e);
        }
    }

    private static Cipher cipher(String transformation) {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " is not available in this JVM", e);
        }
    }
}
