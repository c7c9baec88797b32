package app.threefold.backend;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * The object store a repository lives on: a local folder, an S3 bucket, a paired peer over SFTP.
 * It stores opaque, immutable objects by {@link Handle} and knows nothing of what they contain.
 *
 * <p>Every implementation guarantees, and {@code BackendContractTest} checks:
 * <ul>
 *   <li>writes are atomic: a reader sees the whole object or none of it, never a prefix, even if
 *       the writer crashes half way;</li>
 *   <li>read-after-write: once {@link #save} returns, {@link #open}, {@link #stat} and {@link #list}
 *       see the object;</li>
 *   <li>objects are immutable: saving a handle that exists fails with
 *       {@link ObjectExistsException} unless the type is {@link FileType#LOCK};</li>
 *   <li>a missing object is reported as {@link NoSuchObjectException}, never as an empty one.</li>
 * </ul>
 * Other I/O failures are thrown as {@link IOException}; callers treat them as transient only if
 * the implementation is wrapped in a retrying decorator.
 */
public interface Backend extends AutoCloseable {

    /** A human-readable location for messages, e.g. {@code /srv/threefold/repository}. */
    String location();

    /**
     * Stores {@code length} bytes read from {@code data} under {@code handle}, atomically.
     * Fails without leaving anything behind if the stream ends early or the length differs.
     */
    void save(Handle handle, InputStream data, long length) throws IOException;

    /**
     * Whether a {@link #save} that returns has made the store confirm it holds exactly the bytes
     * given, so a caller that wants the upload verified need not ask for the stored length again.
     */
    default boolean savesAreVerified() {
        return false;
    }

    /** Convenience for small objects (config, keys, index, snapshots). */
    default void save(Handle handle, byte[] data) throws IOException {
        save(handle, new java.io.ByteArrayInputStream(data), data.length);
    }

    /**
     * Opens {@code length} bytes starting at {@code offset}; {@code length == 0} means to the end.
     * The stream returns exactly the requested bytes or throws; the caller closes it.
     */
    InputStream open(Handle handle, long offset, long length) throws IOException;

    /** Reads a whole (small) object into memory. */
    default byte[] readAll(Handle handle) throws IOException {
        try (InputStream in = open(handle, 0, 0)) {
            return in.readAllBytes();
        }
    }

    /** Size of the object in bytes. */
    long stat(Handle handle) throws IOException;

    /** Whether the object exists. */
    default boolean exists(Handle handle) throws IOException {
        try {
            stat(handle);
            return true;
        } catch (NoSuchObjectException e) {
            return false;
        }
    }

    /** Calls {@code each} for every object of the type, in no particular order, with its size. */
    void list(FileType type, Consumer<ObjectInfo> each) throws IOException;

    /** Removes the object; removing a missing object is not an error. */
    void remove(Handle handle) throws IOException;

    /** Releases connections; the default does nothing. */
    @Override
    default void close() throws IOException {
    }

    /** One listed object. */
    record ObjectInfo(Handle handle, long size) {
    }
}
