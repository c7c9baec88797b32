package app.threefold.access;

import app.threefold.ThreefoldException.Kind;

/** No account has that id (it was removed meanwhile). */
public class UnknownPersonException extends PeopleException {

    public UnknownPersonException(long id) {
        super(Kind.NOT_FOUND, "There is no account #" + id + "; it may have been removed meanwhile. Reload the people page.");
    }
}
