package app.threefold.proof;

import app.threefold.ThreefoldException;

/** A scrub asked for a copy that is neither the NAS ({@code local}) nor one of its targets. */
public final class UnknownCopyException extends ThreefoldException {

    public UnknownCopyException(String copy) {
        super(Kind.NOT_FOUND, "Unknown copy '" + copy + "': give \"local\" (the NAS) or the id or name of one of its"
                + " mirror targets.");
    }
}
