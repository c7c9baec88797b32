package app.threefold.web;

import app.threefold.ThreefoldException;

/** The HTTP server could not start. */
public class WebServerException extends ThreefoldException {

    public WebServerException(String message, Throwable cause) {
        super(Kind.UNAVAILABLE, message, cause);
    }
}
