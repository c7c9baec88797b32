package app.threefold.sources;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldException;

/** No local source has the name asked for. */
public class SourceNotFoundException extends ThreefoldException {

    public SourceNotFoundException(String name) {
        super(Kind.NOT_FOUND, "There is no local source named '" + name + "'; the Local sources page lists them.");
    }
}
