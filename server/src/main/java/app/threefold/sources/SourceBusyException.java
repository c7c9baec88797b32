package app.threefold.sources;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldException;

/** The source is being backed up right now, and the change asked for must wait until it ends. */
public class SourceBusyException extends ThreefoldException {

    public SourceBusyException(String name) {
        super(Kind.CONFLICT, "Local source '" + name + "' is being backed up right now; wait until the run ends, then try again.");
    }
}
