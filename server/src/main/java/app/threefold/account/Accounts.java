package app.threefold.account;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/** The appliance's administrators: creating them and checking their passwords. */
public final class Accounts {

    /** Names usable in HTTP Basic and on the command line without quoting. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final int MIN_PASSWORD_LENGTH = 8;

    private final Jdbi jdbi;
    private final PasswordHasher hasher;
    private final Clock clock;
    // Verifying an unknown name still costs one hash, so timing does not reveal which names exist.
    private final String decoyHash;

    public Accounts(Jdbi jdbi, PasswordHasher hasher, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.hasher = Objects.requireNonNull(hasher);
        this.clock = Objects.requireNonNull(clock);
        this.decoyHash = hasher.hash("decoy password".toCharArray());
    }

    /**
     * Checks a new administrator's name and password without storing anything, so a caller can
     * validate all input before it changes anything (e.g. {@code init}).
     *
     * @throws AccountException if the name is invalid or the password is shorter than 8 characters
     */
    public static void checkNewAdmin(String name, char[] password) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new AccountException("Invalid admin name '" + name + "': use 1 to 64 letters, digits, '.', '_'"
                    + " or '-', starting with a letter or digit.");
        }
        if (password == null || password.length < MIN_PASSWORD_LENGTH) {
            throw new AccountException("The admin password is too short: use at least " + MIN_PASSWORD_LENGTH
                    + " characters.");
        }
    }

    /**
     * Creates an administrator.
     *
     * @throws AccountException if the name is invalid or taken, or the password is shorter than 8 characters
     */
    public AdminUser createAdmin(String name, char[] password) {
        checkNewAdmin(name, password);
        String hash = hasher.hash(password);
        Instant created = clock.instant();
        try {
            long id = jdbi.withHandle(h -> h.createUpdate(
                            "INSERT INTO admin_users (name, password_hash, created) VALUES (:name, :hash, :created)")
                    .bind("name", name).bind("hash", hash).bind("created", created)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
            return new AdminUser(id, name, created);
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof PSQLException p
                    && PSQLState.UNIQUE_VIOLATION.getState().equals(p.getSQLState())) {
                throw new AccountException("An admin named '" + name + "' already exists; choose another name.");
            }
            throw e;
        }
    }

    /**
     * Replaces an account's password.
     *
     * @return false if there is no such account
     * @throws AccountException if the password is shorter than 8 characters
     */
    public boolean setPassword(long id, char[] password) {
        if (password == null || password.length < MIN_PASSWORD_LENGTH) {
            throw new AccountException("The password is too short: use at least " + MIN_PASSWORD_LENGTH + " characters.");
        }
        String hash = hasher.hash(password);
        return jdbi.withHandle(h -> h.createUpdate("UPDATE admin_users SET password_hash = :h WHERE id = :id")
                .bind("h", hash).bind("id", id).execute()) == 1;
    }

    /** The administrator if {@code password} is theirs; empty for a wrong password or an unknown name. */
    public Optional<AdminUser> verifyLogin(String name, char[] password) {
        Optional<StoredAdmin> stored = jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, name, created, password_hash FROM admin_users WHERE name = :name")
                .bind("name", name)
                .map((rs, ctx) -> new StoredAdmin(new AdminUser(rs.getLong("id"), rs.getString("name"),
                        rs.getTimestamp("created").toInstant()), rs.getString("password_hash")))
                .findOne());
        boolean matches = hasher.verify(password, stored.map(StoredAdmin::passwordHash).orElse(decoyHash));
        return matches ? stored.map(StoredAdmin::user) : Optional.empty();
    }

    /** Every administrator, oldest first. */
    public List<AdminUser> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name, created FROM admin_users ORDER BY id")
                .map((rs, ctx) -> new AdminUser(rs.getLong("id"), rs.getString("name"),
                        rs.getTimestamp("created").toInstant()))
                .list());
    }

    /** Whether any administrator exists, i.e. whether the appliance has been set up. */
    public boolean anyAdminExists() {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM admin_users)")
                .mapTo(Boolean.class).one());
    }

    private record StoredAdmin(AdminUser user, String passwordHash) {
    }
}
