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

    private final AdminUsers users;
    private final PasswordHasher hasher;
    private final Clock clock;
    // Verifying an unknown name still costs one hash, so timing does not reveal which names exist.
    private final String decoyHash;

    public Accounts(Jdbi jdbi, PasswordHasher hasher, Clock clock) {
        this.users = new AdminUsers(Objects.requireNonNull(jdbi));
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
            long id = users.insert(name, hash, created);
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
        return users.setPasswordHash(id, hash);
    }

    /** The administrator if {@code password} is theirs; empty for a wrong password or an unknown name. */
    public Optional<AdminUser> verifyLogin(String name, char[] password) {
        Optional<AdminUsers.Stored> stored = users.stored(name);
        boolean matches = hasher.verify(password, stored.map(AdminUsers.Stored::passwordHash).orElse(decoyHash));
        return matches ? stored.map(AdminUsers.Stored::user) : Optional.empty();
    }

    /** Every administrator, oldest first. */
    public List<AdminUser> list() {
        return users.list().stream().map(AdminUsers.Row::user).toList();
    }

    /** Whether any administrator exists, i.e. whether the appliance has been set up. */
    public boolean anyAdminExists() {
        return users.any();
    }

    /** An account with its role as the catalog stores it: {@code admin} or {@code member}. */
    public record WithRole(AdminUser user, String role) {
    }

    /** The account {@code id} with its role; empty if it was deleted. */
    public Optional<WithRole> withRole(long id) {
        return users.find(id).map(r -> new WithRole(r.user(), r.role()));
    }

    /** Every account with its role, oldest first. */
    public List<WithRole> allWithRoles() {
        return users.list().stream().map(r -> new WithRole(r.user(), r.role())).toList();
    }

    /** Gives the account {@code id} the role {@code admin} or {@code member}; roles are checked by {@code access.People}. */
    public void setRole(long id, String role) {
        users.setRole(id, role);
    }

    /**
     * Deletes the account {@code id}; its API tokens, browser sessions and device list go with it.
     *
     * @return false if there was no such account
     */
    public boolean delete(long id) {
        return users.delete(id);
    }

    /** How many accounts other than {@code id} have the role {@code admin}. */
    public long adminsBesides(long id) {
        return users.adminsBesides(id);
    }

    /**
     * Inside the caller's transaction ({@code jdbi.useTransaction} on the catalog's Jdbi), keeps every
     * other transaction from changing accounts or roles until it ends: two admins demoting each
     * other at once must not both succeed.
     */
    public void lockRolesForTransaction() {
        users.lock();
    }
}
