package app.threefold.sources;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldException;

/** A local source was refused as given: a bad or taken name, an unusable folder, a bad schedule. Nothing changed. */
public class InvalidSourceException extends ThreefoldException {

    public InvalidSourceException(String message) {
        super(Kind.REFUSED, message);
    }
}
