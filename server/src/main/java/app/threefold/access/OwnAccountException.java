package app.threefold.access;

import app.threefold.ThreefoldException.Kind;

/** An admin tried to remove or demote themselves, which could lock them out of the panel. */
public class OwnAccountException extends PeopleException {

    public OwnAccountException(String what) {
        super(Kind.REFUSED, "You cannot " + what + " your own account; ask another admin to do it.");
    }
}
