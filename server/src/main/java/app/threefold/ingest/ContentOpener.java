package app.threefold.ingest;

import java.io.IOException;
import java.io.InputStream;

/** Opens a file's content when ingest decides it must be read. */
@FunctionalInterface
public interface ContentOpener {
    InputStream open() throws IOException;
}
