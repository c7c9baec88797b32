package app.threefold.peer;

import java.time.Instant;

/** An invite just made: the code to hand over (shown once; only its token's hash is kept) and its expiry. */
public record Invite(String code, Instant expires) {

    /** An invite whose code still works, as the host's owner sees it (the code itself is not kept). */
    public record Open(long id, Instant created, Instant expires, String host, int port, long quota) {
    }
}
