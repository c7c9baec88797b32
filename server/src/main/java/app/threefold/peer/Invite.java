package app.threefold.peer;

import java.time.Instant;

/** An invite just made: the code to hand over (shown once; only its token's hash is kept) and its expiry. */
public record Invite(String code, Instant expires) {
}
