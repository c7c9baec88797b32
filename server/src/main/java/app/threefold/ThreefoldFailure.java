package app.threefold;

/**
 * A failure that says what it means. {@link ThreefoldException} is the unchecked root; checked
 * failures that must stay {@link java.io.IOException}s, because their callers' contracts are I/O
 * (backends, the SFTP file system), implement this too, so the edges map one {@link
 * ThreefoldException.Kind} whatever the exception's type.
 */
public interface ThreefoldFailure {

    ThreefoldException.Kind kind();

    /** A message a person can act on. */
    String getMessage();
}
