package app.threefold.crypto;

/** A key file is not a restic key file this code can read (malformed JSON, unknown KDF, bad parameters). */
public final class KeyFileFormatException extends RuntimeException {

    KeyFileFormatException(String problem, Throwable cause) {
        super("not a valid restic key file: " + problem
                + "; restore the file under keys/ from another copy of the repository", cause);
    }

    KeyFileFormatException(String problem) {
        this(problem, null);
    }
}
