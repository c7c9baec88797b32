package app.threefold.backend;

/**
 * Bytes handed to {@link Backend#save} that are hashed as they are read: a backend that needs the
 * upload's SHA-256 (to compare with the one a server computes) takes it from here instead of
 * hashing every byte a second time.
 */
public interface HashedInput {

    /** The SHA-256 of every byte read; valid once the stream has reported its end. */
    byte[] sha256();
}
