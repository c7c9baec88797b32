package app.threefold.backend;

import app.threefold.ThreefoldException;

/** A repository location that cannot be read, or that lacks what opening it needs (S3 credentials). */
public final class InvalidLocationException extends ThreefoldException {

    public InvalidLocationException(String location, String reason) {
        super(Kind.BAD_REQUEST, "'" + withoutUserInfo(location) + "' is not a usable repository location: " + reason);
    }

    /** A person may have typed a key and secret into the address; never echo them. */
    private static String withoutUserInfo(String location) {
        int scheme = location.indexOf("://");
        int at = location.indexOf('@');
        int slash = scheme < 0 ? -1 : location.indexOf('/', scheme + 3);
        if (scheme >= 0 && at > scheme && (slash < 0 || at < slash)) {
            return location.substring(0, scheme + 3) + "…@" + location.substring(at + 1);
        }
        return location;
    }
}
