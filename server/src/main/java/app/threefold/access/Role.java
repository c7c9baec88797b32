package app.threefold.access;

/** What a person may do in the panel: an admin everything, a member only their own devices. */
public enum Role {
    ADMIN, MEMBER;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
