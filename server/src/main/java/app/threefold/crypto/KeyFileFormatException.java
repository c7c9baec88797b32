package app.threefold.crypto;

import app.threefold.ThreefoldException;

/** A key file is not a restic key file this code can read (malformed JSON, unknown KDF, bad parameters). */
public final class KeyFileFormatException extends ThreefoldException {

    KeyFileFormatException(String problem, Throwable cause) {
        super(Kind.DAMAGED, "not a valid restic key file: " + problem
                + "; restore the file under keys/ from another copy of the repository", cause);
    }

    KeyFileFormatException(String problem) {
        this(problem, null);
    }
}
