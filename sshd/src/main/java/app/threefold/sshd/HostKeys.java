package app.threefold.sshd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * The appliance's SSH host keys, ed25519 and RSA 3072, generated once into {@code DIR/ssh/} and
 * kept: clients pin them on first connection.
 */
final class HostKeys implements KeyPairProvider {
    private final List<KeyPair> keys;

    private HostKeys(List<KeyPair> keys) {
        this.keys = keys;
    }

    static HostKeys load(Path sshDir) throws IOException {
        Files.createDirectories(sshDir);
        List<KeyPair> keys = new ArrayList<>();
        keys.addAll(generated(sshDir.resolve("host_ed25519_key"), "EdDSA", 256));
        keys.addAll(generated(sshDir.resolve("host_rsa_key"), KeyUtils.RSA_ALGORITHM, 3072));
        return new HostKeys(List.copyOf(keys));
    }

    private static List<KeyPair> generated(Path file, String algorithm, int size) throws IOException {
        SimpleGeneratorHostKeyProvider p = new SimpleGeneratorHostKeyProvider(file);
        p.setAlgorithm(algorithm);
        p.setKeySize(size);
        p.setStrictFilePermissions(true);
        List<KeyPair> out = new ArrayList<>();
        p.loadKeys(null).forEach(out::add);
        if (out.isEmpty()) {
            throw new IOException("cannot create or read the SSH host key " + file + "; check the folder's permissions");
        }
        return out;
    }

    @Override
    public Iterable<KeyPair> loadKeys(SessionContext session) {
        return keys;
    }

    /** Key type to OpenSSH SHA256 fingerprint, for people to compare with what their client shows. */
    Map<String, String> fingerprints() {
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyPair k : keys) {
            out.put(KeyUtils.getKeyType(k.getPublic()), KeyUtils.getFingerPrint(k.getPublic()));
        }
        return out;
    }

    /** The public keys as OpenSSH lines ({@code ssh-ed25519 AAAA…}), for clients to pin in known_hosts. */
    List<String> publicKeyLines() {
        List<String> out = new ArrayList<>();
        for (KeyPair k : keys) {
            out.add(org.apache.sshd.common.config.keys.PublicKeyEntry.toString(k.getPublic()));
        }
        return List.copyOf(out);
    }
}
