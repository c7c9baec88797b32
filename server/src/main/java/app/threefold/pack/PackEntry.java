package app.threefold.pack;

import app.threefold.format.BlobType;
import app.threefold.format.Id;

/**
 * One blob inside a pack: where its encrypted bytes are and how long its plaintext is.
 * {@code uncompressedLength} is 0 for a blob stored without compression.
 */
public record PackEntry(Id id, BlobType type, int offset, int length, int uncompressedLength) {

    public boolean compressed() {
        return uncompressedLength != 0;
    }
}
