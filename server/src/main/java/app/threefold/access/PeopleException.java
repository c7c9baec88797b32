package app.threefold.access;

import app.threefold.ThreefoldException;

/** A change to the panel's people was refused; the subclasses say why. */
public class PeopleException extends ThreefoldException {

    /** The change clashes with the people there are now ({@link Kind#CONFLICT}). */
    public PeopleException(String message) {
        super(Kind.CONFLICT, message);
    }

    protected PeopleException(Kind kind, String message) {
        super(kind, message);
    }
}
