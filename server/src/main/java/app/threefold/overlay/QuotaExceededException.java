package app.threefold.overlay;

import java.nio.file.FileSystemException;

/** A write would take a device past its quota; nothing of the file is kept. */
public final class QuotaExceededException extends FileSystemException {

    public QuotaExceededException(String file, long quotaBytes) {
        super(file, null, "quota exceeded: this device may add " + quotaBytes
                + " bytes to the repository; ask the appliance's admin to raise the quota or free space");
    }
}
