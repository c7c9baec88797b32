package app.threefold.access;

import app.threefold.ThreefoldException;

/** A change to the panel's people was refused; the subclasses say why. */
public class PeopleException extends ThreefoldException {

    public PeopleException(String message) {
        super(message);
    }
}
