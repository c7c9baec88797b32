package app.threefold.sshd;

import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.file.util.BasePath;

/** A path in a device's file system. */
final class DevicePath extends BasePath<DevicePath, DeviceFileSystem> {

    DevicePath(DeviceFileSystem fs, String root, List<String> names) {
        super(fs, root, names);
    }

    /**
     * The names below the device's root this path means: "." dropped, ".." going up but never
     * above the root, so no spelling of a path leaves the device.
     */
    List<String> names() {
        DevicePath abs = toAbsolutePath();
        List<String> out = new ArrayList<>();
        for (String n : abs.names) {
            if (n.isEmpty() || n.equals(".")) {
                continue;
            }
            if (n.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                continue;
            }
            if (n.indexOf('\0') >= 0) {
                throw new java.nio.file.InvalidPathException(n, "a file name cannot hold a NUL character");
            }
            out.add(n);
        }
        return out;
    }

    @Override
    public DevicePath toRealPath(LinkOption... options) throws IOException {
        DevicePath p = getFileSystem().getPath("/", names().toArray(String[]::new));
        p.getFileSystem().provider().checkAccess(p);
        return p;
    }

    @Override
    public DevicePath toAbsolutePath() {
        return isAbsolute() ? this : getFileSystem().getPath("/").resolve(this);
    }

    @Override
    public java.io.File toFile() {
        throw new UnsupportedOperationException("device paths are not host files");
    }

    Path asPath() {
        return this;
    }
}
