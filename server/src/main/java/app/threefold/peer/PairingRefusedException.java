package app.threefold.peer;

import app.threefold.ThreefoldException;

/**
 * A pairing step refused: the code, the token, the host's key or the account. {@link #reason()} is
 * the protocol's error word (docs/peers.md), which B sends to A in its one JSON line; the message
 * says what to do.
 */
public final class PairingRefusedException extends ThreefoldException {

    /** Why, as the protocol names it. */
    public enum Reason {
        /** The code is not a Threefold pairing code (typo, cut short). */
        MALFORMED(Kind.BAD_REQUEST),
        /** The code's expiry has passed. */
        EXPIRED(Kind.REFUSED),
        /** The code was already used once. */
        SPENT(Kind.REFUSED),
        /** The host's owner withdrew the code before it was used. */
        WITHDRAWN(Kind.REFUSED),
        /** The host knows no such token (made by another appliance, or mistyped). */
        UNKNOWN(Kind.REFUSED),
        /** The space asked for or offered does not fit. */
        QUOTA(Kind.REFUSED),
        /** The host answering is not the one the code names: its key differs. */
        HOSTKEY(Kind.REFUSED),
        /** The host cannot be reached or broke off. */
        UNREACHABLE(Kind.UNAVAILABLE);

        private final Kind kind;

        Reason(Kind kind) {
            this.kind = kind;
        }

        /** The word on the wire: {@code expired}, {@code spent}, … */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The reason a word on the wire names; an unknown word is {@link #UNKNOWN}. */
        public static Reason ofWord(String word) {
            for (Reason r : values()) {
                if (r.word().equals(word)) {
                    return r;
                }
            }
            return UNKNOWN;
        }
    }

    private final Reason reason;

    public PairingRefusedException(Reason reason, String message) {
        super(reason.kind, message);
        this.reason = reason;
    }

    public PairingRefusedException(Reason reason, String message, Throwable cause) {
        super(reason.kind, message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
