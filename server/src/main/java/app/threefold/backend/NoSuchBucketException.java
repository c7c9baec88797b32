package app.threefold.backend;

import app.threefold.ThreefoldException.Kind;

/** The bucket a backend was given does not exist on the server. */
public final class NoSuchBucketException extends BackendException {
    public NoSuchBucketException(String endpoint, String bucket) {
        super(Kind.NOT_FOUND, "the bucket '" + bucket + "' does not exist at " + endpoint
                + "; create it with your provider first (Threefold never creates buckets), or correct the name");
    }
}
