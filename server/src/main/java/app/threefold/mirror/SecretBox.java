package app.threefold.mirror;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts targets' secrets (S3 secret keys) for the catalog with AES-256-GCM under a key kept in
 * a file of the data directory, readable by its owner only. A stolen catalog dump (or an external
 * PostgreSQL's backups) then holds no usable credentials; the data directory holds the appliance
 * key anyway, so the secret key file adds no new thing to guard.
 */
public final class SecretBox {

    static final String KEY_FILE = "targets.key";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final byte[] CONTEXT = "threefold target secret v1".getBytes(StandardCharsets.US_ASCII);
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final SecretKeySpec key;
    private final Path file;
    private final SecureRandom random;

    private SecretBox(byte[] key, Path file, SecureRandom random) {
        this.key = new SecretKeySpec(key, "AES");
        this.file = file;
        this.random = random;
    }

    /**
     * The key in {@code dataDir/targets.key}, created (owner-only) if it is not there.
     *
     * @throws SecretKeyException if the file is readable by others or is not a key
     */
    public static SecretBox open(Path dataDir, SecureRandom random) {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            if (!Files.exists(file)) {
                create(file, random);
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(OTHERS::contains)) {
                throw new SecretKeyException(file + " may be read or changed by other users ("
                        + PosixFilePermissions.toString(mode) + "), so the target secrets it protects may be known:"
                        + " run `chmod 600 " + file + "` and change the targets' secret keys with your providers");
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length != KEY_BYTES) {
                throw new SecretKeyException(file + " is not a target key (" + key.length + " bytes, not " + KEY_BYTES
                        + "); restore it from your backup of the data directory, or remove it and enter every"
                        + " target's secret key again");
            }
            return new SecretBox(key, file, random);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the target key " + file, e);
        }
    }

    private static void create(Path file, SecureRandom random) throws IOException {
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        // Owner-only from the moment it exists: never readable by others, even for an instant or after a crash.
        try (var channel = Files.newByteChannel(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            channel.write(java.nio.ByteBuffer.wrap(key));
        } catch (FileAlreadyExistsException raced) {
            return;
        }
        // The umask may have taken bits the attribute asked for; owner read/write is all it needs.
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    public byte[] seal(String secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(CONTEXT);
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot do AES-GCM, which every JDK must", e);
        }
    }

    /** @throws SecretKeyException if the key file is not the one {@code sealed} was made with */
    public String open(byte[] sealed, String target) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(CONTEXT);
            return new String(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SecretKeyException("the secret key of target '" + target + "' cannot be decrypted with " + file
                    + ": the key file was replaced or belongs to another appliance; put the original back, or enter"
                    + " the target's secret key again", e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecretKeyException("the stored secret key of target '" + target + "' is damaged; enter it again", e);
        }
    }

    /** What a person is shown of a secret: enough to tell two apart, never enough to use. */
    public static String mask(String secret) {
        return secret.length() <= 8 ? "****" : "****" + secret.substring(secret.length() - 4);
    }
}
