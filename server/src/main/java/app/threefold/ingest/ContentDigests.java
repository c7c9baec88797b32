package app.threefold.ingest;

import app.threefold.format.Id;

/**
 * Where ingest records each file's whole-content SHA-256, keyed by its content (see
 * {@link app.threefold.tree.Node#contentKey()}); restore tests compare restored files against it.
 * Implementations may buffer; {@link #flush} makes everything recorded so far durable.
 */
public interface ContentDigests {

    void record(Id contentKey, long size, byte[] sha256);

    default void flush() {
    }

    /** For sources that keep no catalog. */
    ContentDigests NONE = (key, size, sha) -> { };
}
