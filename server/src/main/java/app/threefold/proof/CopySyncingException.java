package app.threefold.proof;

import app.threefold.ThreefoldException;

/**
 * A scrub asked for a copy a sync is writing to: its removals would read as missing packs and its
 * half-sent objects as damage.
 */
public final class CopySyncingException extends ThreefoldException {

    public CopySyncingException(String copyName) {
        super(Kind.CONFLICT, "A sync to " + copyName + " is running; scrub it once the sync has ended (the panel's"
                + " Activity page shows it).");
    }
}
