package app.threefold.sshd;

import app.threefold.peer.Handshake;
import app.threefold.peer.PairingCode;
import app.threefold.peer.PairingMessages;
import app.threefold.peer.PairingMessages.Welcome;
import app.threefold.peer.PairingRefusedException;
import app.threefold.peer.PairingRefusedException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * A's side of the pairing handshake (docs/peers.md step 2) with MINA's SSH client: a new ed25519
 * key pair for this pairing in OpenSSH files readable by the owner only, a connection that goes on
 * only if the host's key has the fingerprint the code names, the {@code pair} login with the
 * token, and {@code threefold-pair 1} with one JSON line each way.
 */
public final class PairingClient implements Handshake {
    private static final String COMMENT = "threefold-pairing";
    private final Path dataDir;
    private final Duration timeout;

    /**
     * @param dataDir this appliance's data directory: its own host key goes in the request, so the
     *                host can pin it for a pairing back
     */
    public PairingClient(Path dataDir, Duration timeout) {
        this.dataDir = dataDir;
        this.timeout = timeout;
    }

    @Override
    public Welcome pair(PairingCode code, Path keyFile, String ourName) {
        KeyPair keys = newKeyPair(keyFile);
        String publicKey = PublicKeyEntry.toString(keys.getPublic()) + " " + COMMENT;
        String ourHostKey;
        try {
            ourHostKey = SftpServer.hostKeyFingerprint(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read this appliance's host key in " + dataDir.resolve("ssh"), e);
        }
        String request = new PairingMessages.Request(publicKey, ourName, ourHostKey).line() + "\n";

        AtomicReference<String> presented = new AtomicReference<>();
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier((session, address, key) -> {
                String fingerprint = KeyUtils.getFingerPrint(key);
                presented.set(fingerprint);
                return code.hostKey().equals(fingerprint);
            });
            client.start();
            try (ClientSession session = connect(client, code)) {
                session.addPasswordIdentity(code.token());
                try {
                    session.auth().verify(timeout);
                } catch (SshException e) {
                    if (presented.get() != null && !code.hostKey().equals(presented.get())) {
                        throw wrongHost(code, presented.get(), e);
                    }
                    throw new PairingRefusedException(Reason.UNKNOWN, code.name() + " at " + code.host() + ":" + code.port()
                            + " does not know this pairing code (it may have been revoked, or made by another appliance);"
                            + " ask your friend for a new one.", e);
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (ChannelExec exec = session.createExecChannel(PairingMessages.COMMAND)) {
                    exec.setIn(new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)));
                    exec.setOut(out);
                    exec.setErr(OutputStream.nullOutputStream());
                    exec.open().verify(timeout);
                    exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS), timeout);
                    exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(5));
                    Integer status = exec.getExitStatus();
                    String line = out.toString(StandardCharsets.UTF_8).lines().findFirst().orElse(null);
                    return PairingMessages.answer(status == null ? 1 : status, line);
                }
            }
        } catch (PairingRefusedException e) {
            throw e;
        } catch (IOException e) {
            if (presented.get() != null && !code.hostKey().equals(presented.get())) {
                throw wrongHost(code, presented.get(), e);
            }
            throw new PairingRefusedException(Reason.UNREACHABLE, "Cannot reach " + code.name() + " at " + code.host() + ":"
                    + code.port() + " (" + e.getMessage() + "); check that it is on, that the address and port forward are"
                    + " right (docs/peers.md), then try again.", e);
        }
    }

    private ClientSession connect(SshClient client, PairingCode code) throws IOException {
        ClientSession session = client.connect(PairingMessages.USER, code.host(), code.port()).verify(timeout).getSession();
        return session;
    }

    private static PairingRefusedException wrongHost(PairingCode code, String presented, Exception cause) {
        return new PairingRefusedException(Reason.HOSTKEY, "The appliance answering at " + code.host() + ":" + code.port()
                + " is not " + code.name() + ": its host key is " + presented + ", the code names " + code.hostKey()
                + ". Nothing was sent. Check the address (another device may answer there), or ask for a new code.", cause);
    }

    /** Makes the pairing's key pair and writes it, the private key owner-only from its first byte. */
    private static KeyPair newKeyPair(Path keyFile) {
        try {
            KeyPair keys = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
            Path pub = keyFile.resolveSibling(keyFile.getFileName() + ".pub");
            var ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            Files.deleteIfExists(keyFile);
            Files.deleteIfExists(pub);
            Files.createFile(keyFile, ownerOnly);
            Files.createFile(pub, ownerOnly);
            try (OutputStream out = Files.newOutputStream(keyFile, StandardOpenOption.TRUNCATE_EXISTING)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keys, COMMENT, null, out);
            }
            try (OutputStream out = Files.newOutputStream(pub, StandardOpenOption.TRUNCATE_EXISTING)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(keys.getPublic(), COMMENT, out);
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the pairing's key " + keyFile + "; check the data directory", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make an ed25519 key pair (BouncyCastle missing?)", e);
        }
    }
}
