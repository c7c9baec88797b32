package app.threefold.sshd;

import app.threefold.overlay.DeviceSessions;
import app.threefold.overlay.Overlay;
import java.io.IOException;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;
import org.apache.sshd.common.file.util.BaseFileSystem;

/**
 * One SFTP channel's file system: paths name entries of the device's overlay and nothing else.
 * Closing it releases the channel's hold on the device's session.
 */
final class DeviceFileSystem extends BaseFileSystem<DevicePath> {
    private final DeviceSessions.Lease lease;
    private volatile boolean open = true;

    DeviceFileSystem(DeviceFileSystemProvider provider, DeviceSessions.Lease lease) {
        super(provider);
        this.lease = lease;
    }

    Overlay overlay() {
        return lease.overlay();
    }

    @Override
    protected DevicePath create(String root, List<String> names) {
        return new DevicePath(this, root, names);
    }

    @Override
    public void close() throws IOException {
        if (open) {
            open = false;
            lease.close();
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return Set.of("basic", "posix");
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        throw new UnsupportedOperationException("devices have no users or groups");
    }
}
