package app.threefold.access;

/** No account has that id (it was removed meanwhile). */
public class UnknownPersonException extends PeopleException {

    public UnknownPersonException(long id) {
        super("There is no account #" + id + "; it may have been removed meanwhile. Reload the people page.");
    }
}
