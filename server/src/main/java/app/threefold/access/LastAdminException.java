package app.threefold.access;

/** The change would leave the appliance without an admin, and nobody could manage it any more. */
public class LastAdminException extends PeopleException {

    public LastAdminException(String name, String what) {
        super("Cannot " + what + " " + name + ": they are the last admin. Make another person an admin first.");
    }
}
