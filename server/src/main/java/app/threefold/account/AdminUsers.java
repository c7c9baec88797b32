package app.threefold.account;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The catalog's {@code admin_users}, and the only class that reads or writes it: the panel's
 * accounts with their password hashes and roles. {@link Accounts} and {@link ApiTokens} go
 * through it; the roles reach {@code access.People} through {@link Accounts}.
 * Called inside a transaction of the same Jdbi, a method joins it.
 */
final class AdminUsers {

    /** An account's row without its password hash. */
    record Row(AdminUser user, String role) {
    }

    /** An account's row with its password hash, for checking a login. */
    record Stored(AdminUser user, String passwordHash) {
    }

    private final Jdbi jdbi;

    AdminUsers(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi);
    }

    /** Adds an account with role admin; a taken name fails with the catalog's unique violation. */
    long insert(String name, String passwordHash, Instant created) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "INSERT INTO admin_users (name, password_hash, created) VALUES (:name, :hash, :created)")
                .bind("name", name).bind("hash", passwordHash).bind("created", created)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    }

    /** @return false if there is no such account */
    boolean setPasswordHash(long id, String passwordHash) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE admin_users SET password_hash = :h WHERE id = :id")
                .bind("h", passwordHash).bind("id", id).execute()) == 1;
    }

    Optional<Stored> stored(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name, created, password_hash FROM admin_users WHERE name = :name")
                .bind("name", name)
                .map((rs, ctx) -> new Stored(new AdminUser(rs.getLong("id"), rs.getString("name"),
                        rs.getTimestamp("created").toInstant()), rs.getString("password_hash")))
                .findOne());
    }

    Optional<Row> find(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name, created, role FROM admin_users WHERE id = :id")
                .bind("id", id).map((rs, ctx) -> row(rs)).findOne());
    }

    Optional<Long> idOf(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM admin_users WHERE name = :name")
                .bind("name", name).mapTo(Long.class).findOne());
    }

    /** Every account, oldest first. */
    List<Row> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name, created, role FROM admin_users ORDER BY id")
                .map((rs, ctx) -> row(rs)).list());
    }

    boolean any() {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM admin_users)").mapTo(Boolean.class).one());
    }

    void setRole(long id, String role) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE admin_users SET role = :r WHERE id = :id")
                .bind("r", role).bind("id", id).execute());
    }

    /** Deletes an account; its tokens, sessions and device list go with it (ON DELETE CASCADE). */
    boolean delete(long id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM admin_users WHERE id = :id").bind("id", id).execute()) == 1;
    }

    long adminsBesides(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM admin_users WHERE role = 'admin' AND id <> :id")
                .bind("id", id).mapTo(Long.class).one());
    }

    /** Until the caller's transaction ends, no other transaction changes accounts or roles. */
    void lock() {
        jdbi.useHandle(h -> h.execute("LOCK TABLE admin_users IN SHARE ROW EXCLUSIVE MODE"));
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(new AdminUser(rs.getLong("id"), rs.getString("name"), rs.getTimestamp("created").toInstant()),
                rs.getString("role"));
    }
}
