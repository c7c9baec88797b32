package app.threefold.index;

import app.threefold.format.BlobType;
import app.threefold.format.Id;

/** Where a blob's encrypted bytes are: pack, offset, length; {@code uncompressedLength} 0 if stored plain. */
public record BlobLocation(Id pack, BlobType type, int offset, int length, int uncompressedLength) {

    /** Length of the blob's plaintext: what restoring it yields. */
    public int plaintextLength() {
        return uncompressedLength != 0 ? uncompressedLength : length - app.threefold.crypto.Crypto.OVERHEAD;
    }
}
