package app.threefold.crypto;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The repository master key: an AES-256 key for AES-CTR and the Poly1305-AES key (k, r).
 * restic stores it, encrypted, inside every key file. The arrays are copied in and out, so an
 * instance cannot be changed once built.
 */
public record MasterKey(byte[] encryption, byte[] macK, byte[] macR) {

    public MasterKey {
        encryption = copyOf("encryption", encryption, 32);
        macK = copyOf("macK", macK, 16);
        macR = copyOf("macR", macR, 16);
    }

    /**
     * A fresh key, as {@code restic init} makes one. r is stored already clamped, as restic
     * 0.14 stores it; Poly1305 clamps r anyway, but restic then prints the key we hold.
     */
    public static MasterKey random(SecureRandom random) {
        byte[] encryption = new byte[32];
        byte[] macK = new byte[16];
        byte[] macR = new byte[16];
        random.nextBytes(encryption);
        random.nextBytes(macK);
        random.nextBytes(macR);
        for (int word = 0; word < 16; word += 4) {
            macR[word + 3] &= 0x0f;
            if (word > 0) {
                macR[word] &= (byte) 0xfc;
            }
        }
        return new MasterKey(encryption, macK, macR);
    }

    @Override
    public byte[] encryption() {
        return encryption.clone();
    }

    @Override
    public byte[] macK() {
        return macK.clone();
    }

    @Override
    public byte[] macR() {
        return macR.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MasterKey that
                && Arrays.equals(encryption, that.encryption)
                && Arrays.equals(macK, that.macK)
                && Arrays.equals(macR, that.macR);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(encryption) + Arrays.hashCode(macK)) + Arrays.hashCode(macR);
    }

    /** Never prints key material, so a key cannot leak into a log line. */
    @Override
    public String toString() {
        return "MasterKey[redacted]";
    }

    private static byte[] copyOf(String name, byte[] bytes, int length) {
        if (bytes == null || bytes.length != length) {
            throw new IllegalArgumentException(name + " must be " + length + " bytes, not "
                    + (bytes == null ? "null" : bytes.length));
        }
        return bytes.clone();
    }
}
