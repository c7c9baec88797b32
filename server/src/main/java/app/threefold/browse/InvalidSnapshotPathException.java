package app.threefold.browse;

import app.threefold.ThreefoldException;

/** A path inside a snapshot that names no entry a file system could hold ({@code .} or {@code ..}). */
public final class InvalidSnapshotPathException extends ThreefoldException {

    InvalidSnapshotPathException(String message) {
        super(Kind.BAD_REQUEST, message);
    }
}
