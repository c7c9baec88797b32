package app.threefold.mirror;

/** The key that encrypts targets' secrets is missing, unsafe or not the one the secrets were encrypted with. */
public final class SecretKeyException extends TargetException {

    public SecretKeyException(String message) {
        super(Kind.REFUSED, message);
    }

    public SecretKeyException(String message, Throwable cause) {
        super(Kind.REFUSED, message, cause);
    }
}
