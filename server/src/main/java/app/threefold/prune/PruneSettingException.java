package app.threefold.prune;

import app.threefold.ThreefoldException;

/** A prune setting (the repack threshold) out of range; the message names the range. */
public class PruneSettingException extends ThreefoldException {

    public PruneSettingException(String message) {
        super(Kind.BAD_REQUEST, message);
    }
}
