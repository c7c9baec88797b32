package app.threefold.proof;

import app.threefold.ThreefoldException;

/** A restore test rhythm that cannot be kept: an interval outside 1–365 days or a negative byte budget. */
public final class InvalidRhythmException extends ThreefoldException {

    public InvalidRhythmException(String message) {
        super(Kind.BAD_REQUEST, message);
    }
}
