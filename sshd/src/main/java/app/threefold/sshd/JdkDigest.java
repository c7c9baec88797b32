package app.threefold.sshd;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.digest.Digest;

/**
 * A MINA {@link Digest} backed by the JDK's own provider. With BouncyCastle registered, MINA takes
 * BouncyCastle's SHA-256, written in plain Java; the JDK's uses the CPU's SHA instructions and hashed
 * a guest's uploads (check-file-name) several times faster on this machine kind (see bench/peer).
 */
final class JdkDigest implements Digest {
    private final String algorithm;
    private final int blockSize;
    private MessageDigest md;

    private JdkDigest(String algorithm, int blockSize) {
        this.algorithm = algorithm;
        this.blockSize = blockSize;
    }

    /** The same digests {@code factory} makes, by name and size, computed by the JDK. */
    static NamedFactory<Digest> of(NamedFactory<? extends Digest> factory) {
        String name = factory.getName();
        return new NamedFactory<>() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Digest create() {
                Digest d = factory.create();
                return new JdkDigest(d.getAlgorithm(), d.getBlockSize());
            }
        };
    }

    @Override
    public void init() throws NoSuchAlgorithmException {
        md = MessageDigest.getInstance(algorithm);
    }

    @Override
    public void update(byte[] data) {
        md.update(data);
    }

    @Override
    public void update(byte[] data, int start, int len) {
        md.update(data, start, len);
    }

    @Override
    public byte[] digest() {
        return md.digest();
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public int getBlockSize() {
        return blockSize;
    }

    @Override
    public int compareTo(Digest that) {
        int byName = algorithm.compareTo(that.getAlgorithm());
        return byName != 0 ? byName : Integer.compare(blockSize, that.getBlockSize());
    }
}
