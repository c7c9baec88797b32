package app.threefold;

/**
 * Root of the failures a person can act on: the message says what went wrong and what to do next.
 * The edges translate it once each (exit code 1 in the CLI, an HTTP status in the API).
 */
public class ThreefoldException extends RuntimeException {

    public ThreefoldException(String message) {
        super(message);
    }

    public ThreefoldException(String message, Throwable cause) {
        super(message, cause);
    }
}
