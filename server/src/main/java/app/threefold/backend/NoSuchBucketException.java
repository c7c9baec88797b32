package app.threefold.backend;

import java.io.IOException;

/** The bucket a backend was given does not exist on the server. */
public final class NoSuchBucketException extends IOException {
    public NoSuchBucketException(String endpoint, String bucket) {
        super("the bucket '" + bucket + "' does not exist at " + endpoint
                + "; create it with your provider first (Threefold never creates buckets), or correct the name");
    }
}
