package app.threefold.sshd;

import app.threefold.overlay.Overlay;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.extensions.openssh.AbstractOpenSSHExtensionParser.OpenSSHExtension;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpSubsystem;
import org.apache.sshd.sftp.server.SftpSubsystemConfigurator;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * MINA's SFTP subsystem with what Threefold adds: a file is kept only when the client closes its
 * handle (a dropped connection leaves the previous version), and {@code statvfs@openssh.com}
 * reports the device's quota (OpenSSH {@code df}, {@code rclone about}), and names are kept as the
 * bytes the client sent.
 */
final class DeviceSftpSubsystem extends SftpSubsystem {
    static final String STATVFS = "statvfs@openssh.com";
    static final String FSTATVFS = "fstatvfs@openssh.com";
    private static final long BLOCK = 4096;
    private final Path dataDir;

    DeviceSftpSubsystem(ChannelSession channel, SftpSubsystemConfigurator configurator, Path dataDir) {
        super(channel, configurator);
        this.dataDir = dataDir;
    }

    /** Makes the subsystem above for each SFTP channel. */
    static final class Factory extends SftpSubsystemFactory {
        private final Path dataDir;
        private final app.threefold.peer.Guests guests;
        private final GuestSftpSubsystem.Uploads uploads = new GuestSftpSubsystem.Uploads();

        /** @param guests null when paired appliances are not served */
        Factory(Path dataDir, app.threefold.peer.Guests guests) {
            this.dataDir = dataDir;
            this.guests = guests;
        }

        @Override
        public org.apache.sshd.server.command.Command createSubsystem(ChannelSession channel) {
            if (guests != null) {
                String guest = PeerAuthenticator.guest(channel.getServerSession());
                if (guest != null) {
                    if (!guests.paired(guest)) {
                        return new SftpServer.Refusal(); // unpaired while this connection was open
                    }
                    GuestSftpSubsystem g = new GuestSftpSubsystem(channel, this, guests, guest, uploads.of(guest));
                    getRegisteredListeners().forEach(g::addSftpEventListener);
                    return g;
                }
                if (PeerAuthenticator.pairToken(channel.getServerSession()) != null) {
                    return new SftpServer.Refusal(); // a pairing login runs its one command, nothing else
                }
            }
            DeviceSftpSubsystem s = new DeviceSftpSubsystem(channel, this, dataDir);
            getRegisteredListeners().forEach(s::addSftpEventListener);
            return s;
        }
    }

    /** Every request is read, and answered, with names as bytes (see {@link NameBuffer}). */
    @Override
    protected void process(Buffer buffer) throws IOException {
        super.process(new NameBuffer(buffer));
    }

    @Override
    protected void doClose(int id, String handle) throws IOException {
        Handle h = handles.get(handle);
        if (h instanceof FileHandle f && f.getFileChannel() instanceof OverlayFileChannel c) {
            c.complete();
        }
        super.doClose(id, handle);
    }

    @Override
    protected List<OpenSSHExtension> resolveOpenSSHExtensions(ServerSession session) {
        List<OpenSSHExtension> list = new ArrayList<>(super.resolveOpenSSHExtensions(session));
        list.add(new OpenSSHExtension(STATVFS, "2"));
        list.add(new OpenSSHExtension(FSTATVFS, "2"));
        return list;
    }

    @Override
    protected void doUnsupportedExtension(Buffer buffer, int id, String extension) throws IOException {
        if (!extension.equals(STATVFS) && !extension.equals(FSTATVFS)) {
            super.doUnsupportedExtension(buffer, id, extension);
            return;
        }
        buffer.getString(); // the path or handle: every path of a device has the same quota
        Overlay overlay = ((DeviceFileSystem) fileSystem).overlay();
        FileStore store = Files.getFileStore(dataDir);
        long diskTotal = store.getTotalSpace();
        long diskFree = store.getUsableSpace();
        long total = overlay.quota().total() > 0 ? overlay.quota().total() : diskTotal;
        long free = Math.min(overlay.quota().left(), diskFree);
        Buffer reply = prepareReply(buffer);
        reply.putByte((byte) SftpConstants.SSH_FXP_EXTENDED_REPLY);
        reply.putUInt(id);
        reply.putLong(BLOCK);           // f_bsize
        reply.putLong(BLOCK);           // f_frsize
        reply.putLong(total / BLOCK);   // f_blocks
        reply.putLong(free / BLOCK);    // f_bfree
        reply.putLong(free / BLOCK);    // f_bavail
        reply.putLong(0);               // f_files: no inode limit
        reply.putLong(0);               // f_ffree
        reply.putLong(0);               // f_favail
        reply.putLong(0);               // f_fsid
        reply.putLong(0);               // f_flag
        reply.putLong(255);             // f_namemax
        send(reply);
    }
}
