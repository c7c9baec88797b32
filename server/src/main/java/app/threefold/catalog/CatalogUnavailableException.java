package app.threefold.catalog;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldException;

/** The catalog database cannot be reached or its schema cannot be brought up to date. */
public class CatalogUnavailableException extends ThreefoldException {

    public CatalogUnavailableException(String message, Throwable cause) {
        super(Kind.UNAVAILABLE, message, cause);
    }
}
