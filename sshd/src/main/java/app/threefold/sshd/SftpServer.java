package app.threefold.sshd;

import app.threefold.device.Devices;
import app.threefold.login.LoginThrottle;
import app.threefold.overlay.DeviceSessions;
import app.threefold.peer.Guests;
import app.threefold.peer.PairingMessages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.file.FileSystemFactory;
import org.apache.sshd.common.file.root.RootedFileSystemProvider;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's SFTP endpoint for devices: each device logs in with its password or key and
 * sees its latest snapshot with its uploads on top (see docs/sftp.md). Modern algorithms only;
 * exec and shell requests get a polite refusal; forwarding is off.
 */
public final class SftpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SftpServer.class);
    static final String EXEC_REFUSAL = "Threefold accepts SFTP only (sftp, scp, rclone, WinSCP, FileZilla);"
            + " shell commands are not available.\n";

    private final SshServer sshd;
    private final HostKeys hostKeys;
    private final Runnable stopWatchingUnpairs;

    /** Where to listen and where the data dir (host keys, quota disk) is; port 0 picks a free one. */
    public record Settings(String bindAddress, int port, Path dataDir) {
    }

    private SftpServer(SshServer sshd, HostKeys hostKeys, Runnable stopWatchingUnpairs) {
        this.sshd = sshd;
        this.hostKeys = hostKeys;
        this.stopWatchingUnpairs = stopWatchingUnpairs;
    }

    /** Starts listening; {@code throttle} is the appliance's one guard against password guessing (also for the panel and the API). */
    public static SftpServer start(Settings settings, Devices devices, DeviceSessions sessions, LoginThrottle throttle)
            throws IOException {
        return start(settings, devices, sessions, throttle, null);
    }

    /**
     * Starts listening, also for paired appliances when {@code guests} is given: the {@code pair}
     * login and its one command, and guests' logins into their folders (docs/peers.md).
     */
    public static SftpServer start(Settings settings, Devices devices, DeviceSessions sessions, LoginThrottle throttle,
            Guests guests) throws IOException {
        HostKeys hostKeys = HostKeys.load(settings.dataDir().resolve("ssh"));
        SshServer sshd = SshServer.setUpDefaultServer();
        // Without it Nagle's algorithm and delayed ACKs add ~20 ms to each small reply (measured:
        // 20 ms per file for sequential uploads of small files with sftp put -r).
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(sshd, true);
        sshd.setHost(settings.bindAddress());
        sshd.setPort(settings.port());
        sshd.setKeyPairProvider(hostKeys);
        sshd.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(false, List.of(
                BuiltinDHFactories.mlkem768x25519, BuiltinDHFactories.sntrup761x25519_openssh, BuiltinDHFactories.sntrup761x25519,
                BuiltinDHFactories.curve25519, BuiltinDHFactories.curve25519_libssh,
                BuiltinDHFactories.ecdhp256, BuiltinDHFactories.ecdhp384, BuiltinDHFactories.ecdhp521,
                BuiltinDHFactories.dhg16_512, BuiltinDHFactories.dhg18_512), ServerBuilder.DH2KEX));
        sshd.setCipherFactories((List.<NamedFactory<org.apache.sshd.common.cipher.Cipher>>of(
                // No chacha20-poly1305: MINA's is pure Java, measured 30 % slower than AES with AES-NI here.
                BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm,
                BuiltinCiphers.aes128ctr, BuiltinCiphers.aes192ctr, BuiltinCiphers.aes256ctr)));
        sshd.setMacFactories((List.<NamedFactory<org.apache.sshd.common.mac.Mac>>of(
                BuiltinMacs.hmacsha256etm, BuiltinMacs.hmacsha512etm, BuiltinMacs.hmacsha256, BuiltinMacs.hmacsha512)));
        sshd.setSignatureFactories((List.<NamedFactory<org.apache.sshd.common.signature.Signature>>of(
                BuiltinSignatures.ed25519, BuiltinSignatures.rsaSHA512, BuiltinSignatures.rsaSHA256,
                BuiltinSignatures.nistp256, BuiltinSignatures.nistp384, BuiltinSignatures.nistp521)));

        DeviceAuthenticator deviceAuth = new DeviceAuthenticator(devices, throttle);
        if (guests == null) {
            sshd.setPasswordAuthenticator(deviceAuth);
            sshd.setPublickeyAuthenticator(deviceAuth);
        } else {
            PeerAuthenticator auth = new PeerAuthenticator(guests, deviceAuth);
            sshd.setPasswordAuthenticator(auth);
            sshd.setPublickeyAuthenticator(auth);
        }
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setGSSAuthenticator(null);
        sshd.setHostBasedAuthenticator(null);
        sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        sshd.setAgentFactory(null);

        DeviceSftpSubsystem.Factory sftp = new DeviceSftpSubsystem.Factory(settings.dataDir(), guests);
        sftp.setErrorStatusDataHandler(new SftpErrors());
        sshd.setSubsystemFactories(List.of(sftp));
        sshd.setCommandFactory((channel, command) -> {
            String token = guests == null ? null : PeerAuthenticator.pairToken(channel.getServerSession());
            return token != null && PairingMessages.COMMAND.equals(command)
                    ? new PairCommand(guests, token, DeviceAuthenticator.address(channel.getServerSession()))
                    : new Refusal();
        });
        sshd.setShellFactory(channel -> new Refusal());

        DeviceFileSystemProvider provider = new DeviceFileSystemProvider();
        Map<Session, List<FileSystem>> open = new ConcurrentHashMap<>();
        sshd.setFileSystemFactory(new FileSystemFactory() {
            @Override
            public Path getUserHomeDir(SessionContext session) {
                return null;
            }

            @Override
            public FileSystem createFileSystem(SessionContext session) throws IOException {
                String guest = guests == null ? null : PeerAuthenticator.guest((ServerSession) session);
                if (guest != null) {
                    // The guest's folder is the root it sees: no path leads out of it.
                    Path folder = guests.folder(guest);
                    Files.createDirectories(folder);
                    return new RootedFileSystemProvider().newFileSystem(folder, Map.of());
                }
                if (guests != null && PeerAuthenticator.pairToken((ServerSession) session) != null) {
                    throw new IOException("a pairing login has no files");
                }
                // The address goes with the lease: the activity log says once per session where it came from.
                DeviceFileSystem fs = new DeviceFileSystem(provider, sessions.open(session.getUsername(),
                        DeviceAuthenticator.address((ServerSession) session)));
                open.computeIfAbsent((Session) session, s -> new CopyOnWriteArrayList<>()).add(fs);
                // open() may have waited for the device's previous session to be committed; a client
                // that left meanwhile has had its sessionClosed already, which would never end this lease.
                if (!((Session) session).isOpen()) {
                    closeAll(open.remove(session), session);
                    throw new IOException("the client disconnected while its session started");
                }
                return fs;
            }
        });
        sshd.addSessionListener(new SessionListener() {
            @Override
            public void sessionEvent(Session session, Event event) {
                if (event == Event.Authenticated && session instanceof ServerSession s) {
                    String address = DeviceAuthenticator.address(s);
                    String guest = guests == null ? null : PeerAuthenticator.guest(s);
                    if (guest != null) {
                        guests.contact(guest);
                        log.info("guest '{}' logged in from {}", guest, address);
                        return;
                    }
                    if (PeerAuthenticator.pairToken(s) != null) {
                        return;
                    }
                    log.info("device '{}' logged in from {}", s.getUsername(), address);
                    // Every connection, not once per session: a late device's line names where it was last seen.
                    devices.recordConnection(s.getUsername(), address);
                }
            }

            @Override
            public void sessionClosed(Session session) {
                closeAll(open.remove(session), session);
            }
        });
        sshd.start();
        // An unpaired guest's open connections end with the pairing, not at their next login.
        Runnable stopWatchingUnpairs = guests == null ? () -> { } : guests.whenUnpaired(user -> {
            for (Session s : sshd.getActiveSessions()) {
                if (s instanceof ServerSession ss && user.equals(PeerAuthenticator.guest(ss))) {
                    log.info("guest '{}' was unpaired; its connection from {} is closed", user, DeviceAuthenticator.address(ss));
                    s.close(true);
                }
            }
        });
        SftpServer server = new SftpServer(sshd, hostKeys, stopWatchingUnpairs);
        log.info("SFTP listening on {}:{}; host keys {}", settings.bindAddress(), server.port(), hostKeys.fingerprints());
        return server;
    }

    /** Ends the leases of a closed connection, so its device's session can become a snapshot. */
    private static void closeAll(List<FileSystem> fss, SessionContext session) {
        if (fss == null) {
            return;
        }
        for (FileSystem fs : fss) {
            try {
                fs.close();
            } catch (IOException | RuntimeException e) {
                log.error("closing the SFTP session of '{}' failed", session.getUsername(), e);
            }
        }
    }

    /** The port it listens on (the actual one when 0 was asked for). */
    public int port() {
        return sshd.getPort();
    }

    /**
     * The fingerprint of the ed25519 host key in {@code dataDir} ({@code SHA256:…}), made if missing:
     * what a pairing code pins, known before the server listens.
     */
    public static String hostKeyFingerprint(Path dataDir) throws IOException {
        return HostKeys.load(dataDir.resolve("ssh")).fingerprints().get("ssh-ed25519");
    }

    /** Host key type to its OpenSSH SHA256 fingerprint. */
    public Map<String, String> hostKeyFingerprints() {
        return hostKeys.fingerprints();
    }

    /** The host public keys as OpenSSH lines, which setup scripts pin in their known_hosts file. */
    public List<String> hostKeyLines() {
        return hostKeys.publicKeyLines();
    }

    @Override
    public void close() throws IOException {
        stopWatchingUnpairs.run();
        sshd.stop(true);
    }

    /** Answers exec and shell requests with a message and exit status 1. */
    static final class Refusal implements Command {
        private OutputStream err;
        private ExitCallback exit;

        @Override
        public void setInputStream(java.io.InputStream in) {
        }

        @Override
        public void setOutputStream(OutputStream out) {
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            log.info("refused an exec/shell request of '{}'", channel.getSession().getUsername());
            err.write(EXEC_REFUSAL.getBytes(StandardCharsets.UTF_8));
            err.flush();
            exit.onExit(1, "SFTP only");
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
