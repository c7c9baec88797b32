package app.threefold.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Bearer tokens for the JSON API, each belonging to an administrator. Only a SHA-256 of a token is
 * stored: tokens are 256 random bits, so a fast hash is enough (no password-style stretching).
 * The catalog's {@code api_tokens} is read and written here only; accounts come from {@link AdminUsers}.
 */
public final class ApiTokens {

    private static final String PREFIX = "tf_";

    private final Jdbi jdbi;
    private final AdminUsers users;
    private final Clock clock;
    private final SecureRandom random;

    public ApiTokens(Jdbi jdbi, Clock clock, SecureRandom random) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.users = new AdminUsers(jdbi);
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
    }

    /**
     * Creates a token for the administrator {@code userName}; its secret is returned only here.
     *
     * @throws AccountException if there is no such administrator
     */
    public IssuedToken create(String userName, String label) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String safeLabel = label == null ? "" : label;
        Optional<Long> id = jdbi.inTransaction(h -> users.idOf(userName).map(user -> h.createUpdate("""
                        INSERT INTO api_tokens (token_hash, user_id, label, created) VALUES (:hash, :user, :label, :created)""")
                .bind("hash", sha256(secret)).bind("label", safeLabel).bind("created", clock.instant())
                .bind("user", user)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one()));
        return new IssuedToken(id.orElseThrow(() -> new AccountException(
                "There is no admin named '" + userName + "'; create the admin first.")), userName, safeLabel, secret);
    }

    /** The administrator owning {@code secret}, recording the use; empty for an unknown token. */
    public Optional<AdminUser> verify(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            return Optional.empty();
        }
        // Lookup by hash: equality on a hash of the secret leaks nothing useful through timing.
        return jdbi.inTransaction(h -> h.createQuery(
                        "UPDATE api_tokens SET last_used = :now WHERE token_hash = :hash RETURNING user_id")
                .bind("now", clock.instant()).bind("hash", sha256(secret))
                .mapTo(Long.class).findOne()
                .flatMap(users::find).map(AdminUsers.Row::user));
    }

    private static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
