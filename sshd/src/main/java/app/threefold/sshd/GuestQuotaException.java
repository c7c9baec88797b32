package app.threefold.sshd;

import java.nio.file.FileSystemException;

/** A guest's write would take its folder past the space its host gave it; the write is refused. */
final class GuestQuotaException extends FileSystemException {

    GuestQuotaException(String file, long quota) {
        super(file, null, "quota exceeded: this guest may keep " + quota + " bytes here; ask the host's owner for more"
                + " space (Friends → the guest's space), or remove old snapshots");
    }
}
