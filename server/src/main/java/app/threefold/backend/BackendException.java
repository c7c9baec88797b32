package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldFailure;
import java.io.IOException;

/**
 * Root of the backend failures a person can act on. It stays a checked {@link IOException}, unlike
 * {@link app.threefold.ThreefoldException}, because every {@link Backend} method's contract is I/O:
 * retries, the SFTP file system and mirror syncs decide on {@code catch (IOException)}, and an
 * unchecked backend failure would slip past them. It joins the root through {@link ThreefoldFailure},
 * so the edges still map its kind.
 */
public abstract class BackendException extends IOException implements ThreefoldFailure {
    private final Kind kind;

    /** Without a cause yet: callers may still {@link #initCause} it. */
    protected BackendException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    protected BackendException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    @Override
    public final Kind kind() {
        return kind;
    }
}
