package app.threefold.retention;

import app.threefold.ThreefoldException;

/** Forget would remove other snapshots than the preview the admin confirmed showed. */
public final class PreviewOutdatedException extends ThreefoldException {

    public PreviewOutdatedException(String hostname) {
        super(Kind.CONFLICT, "the snapshots of " + hostname + " to forget changed since the preview (a new backup, a pin"
                + " or another policy); nothing was forgotten: look at the new preview, then forget again");
    }
}
