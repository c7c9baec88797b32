package app.threefold;

import java.io.UncheckedIOException;

/**
 * Root of the failures a person can act on: the message says what went wrong and what to do next,
 * and the {@link Kind} says what it means, so each edge (HTTP status in {@code web}, SFTP status in
 * {@code sshd}, exit code in {@code appliance}) translates the kind once instead of knowing every
 * subclass. Failures that must stay checked {@link java.io.IOException}s (backends, file systems)
 * join through {@link ThreefoldFailure}.
 */
public class ThreefoldException extends RuntimeException implements ThreefoldFailure {

    /** What a failure means to the person or program that asked; the edges map only this. */
    public enum Kind {
        /** The request itself is wrong (missing, malformed or unusable parameter): fix the request. */
        BAD_REQUEST,
        /** The thing the request names does not exist (device, job, snapshot, object). */
        NOT_FOUND,
        /** The request clashes with the current state (busy, in use, already there): change the state or wait. */
        CONFLICT,
        /** The request is understood, but a rule refuses it (a name or password breaking a rule, the last admin). */
        REFUSED,
        /** Something the request needs is not there now (no repository yet, catalog or backend down): try later. */
        UNAVAILABLE,
        /** Stored data is damaged (checksum, MAC or format): run {@code threefold check}. */
        DAMAGED,
        /** Anything else: a defect or an unforeseen failure; the log has the details. */
        INTERNAL;

        /**
         * The kind of any throwable: its own for a {@link ThreefoldFailure} (also when wrapped in an
         * {@link UncheckedIOException}), {@link #INTERNAL} otherwise.
         */
        public static Kind of(Throwable e) {
            if (e instanceof ThreefoldFailure f) {
                return f.kind();
            }
            if (e instanceof UncheckedIOException u && u.getCause() instanceof ThreefoldFailure f) {
                return f.kind();
            }
            return INTERNAL;
        }
    }

    private final Kind kind;

    public ThreefoldException(Kind kind, String message) {
        super(message);
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
    }

    public ThreefoldException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
    }

    @Override
    public final Kind kind() {
        return kind;
    }
}
