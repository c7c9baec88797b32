package app.threefold.account;

/** A freshly created API token; {@code secret} is shown once and never stored. */
public record IssuedToken(long id, String userName, String label, String secret) {

    @Override
    public String toString() {
        return "IssuedToken[id=" + id + ", userName=" + userName + ", label=" + label + "]";
    }
}
