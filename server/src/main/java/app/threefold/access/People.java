package app.threefold.access;

import app.threefold.account.Accounts;
import app.threefold.account.AdminUser;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * The panel's accounts with their roles. Accounts live in {@code admin_users} (see
 * {@link Accounts}); a member is such an account with role {@code member} and a list of devices.
 */
public final class People {

    private final Jdbi jdbi;
    private final Accounts accounts;

    public People(Jdbi jdbi, Accounts accounts) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.accounts = Objects.requireNonNull(accounts);
    }

    /** The person behind an account id; empty if it was deleted. */
    public Optional<Person> find(long userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name, role FROM admin_users WHERE id = :id")
                .bind("id", userId)
                .map((rs, ctx) -> new Person(rs.getLong("id"), rs.getString("name"),
                        Role.valueOf(rs.getString("role").toUpperCase(java.util.Locale.ROOT)), Set.of()))
                .findOne()
                .map(p -> new Person(p.id(), p.name(), p.role(), devicesOf(p.id()))));
    }

    private Set<String> devicesOf(long userId) {
        return new HashSet<>(jdbi.withHandle(h -> h.createQuery(
                        "SELECT device FROM member_devices WHERE user_id = :id")
                .bind("id", userId).mapTo(String.class).list()));
    }

    /**
     * Creates a household member who sees and restores only {@code devices}.
     *
     * @throws app.threefold.account.AccountException if the name is invalid or taken, or the password too short
     */
    public Person createMember(String name, char[] password, Collection<String> devices) {
        AdminUser user = accounts.createAdmin(name, password);
        jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE admin_users SET role = 'member' WHERE id = :id").bind("id", user.id()).execute();
            for (String device : devices) {
                h.createUpdate("INSERT INTO member_devices (user_id, device) VALUES (:id, :d) ON CONFLICT DO NOTHING")
                        .bind("id", user.id()).bind("d", device).execute();
            }
        });
        return new Person(user.id(), user.name(), Role.MEMBER, Set.copyOf(devices));
    }

    /**
     * Changes a person's role and, for a member, their devices (an admin sees every device, so an
     * admin's list is emptied).
     *
     * @throws UnknownPersonException if there is no such account
     * @throws OwnAccountException if {@code actingId} demotes themselves
     * @throws LastAdminException if the last admin would be demoted
     */
    public Person update(long actingId, long id, Role role, Collection<String> devices) {
        jdbi.useTransaction(h -> {
            Person before = lockAndFind(h, id);
            if (before.role() == Role.ADMIN && role == Role.MEMBER) {
                if (id == actingId) {
                    throw new OwnAccountException("demote");
                }
                requireAnotherAdmin(h, before, "demote");
            }
            h.createUpdate("UPDATE admin_users SET role = :r WHERE id = :id").bind("r", role.label()).bind("id", id).execute();
            h.createUpdate("DELETE FROM member_devices WHERE user_id = :id").bind("id", id).execute();
            if (role == Role.MEMBER) {
                for (String device : devices) {
                    h.createUpdate("INSERT INTO member_devices (user_id, device) VALUES (:id, :d) ON CONFLICT DO NOTHING")
                            .bind("id", id).bind("d", device).execute();
                }
            }
        });
        return find(id).orElseThrow(() -> new UnknownPersonException(id));
    }

    /**
     * Removes a person's account; their device assignments and API tokens go with it.
     *
     * @return who was removed
     * @throws UnknownPersonException if there is no such account
     * @throws OwnAccountException if {@code actingId} removes themselves
     * @throws LastAdminException if they are the last admin
     */
    public Person remove(long actingId, long id) {
        return jdbi.inTransaction(h -> {
            Person before = lockAndFind(h, id);
            if (id == actingId) {
                throw new OwnAccountException("remove");
            }
            if (before.role() == Role.ADMIN) {
                requireAnotherAdmin(h, before, "remove");
            }
            h.createUpdate("DELETE FROM admin_users WHERE id = :id").bind("id", id).execute();
            return before;
        });
    }

    /**
     * Gives a person a new password (they forgot theirs).
     *
     * @throws UnknownPersonException if there is no such account
     * @throws app.threefold.account.AccountException if the password is too short
     */
    public Person resetPassword(long id, char[] password) {
        Person p = find(id).orElseThrow(() -> new UnknownPersonException(id));
        if (!accounts.setPassword(id, password)) {
            throw new UnknownPersonException(id);
        }
        return p;
    }

    private Person lockAndFind(org.jdbi.v3.core.Handle h, long id) {
        // One change of roles at a time: two admins demoting each other at once must not both succeed.
        h.execute("LOCK TABLE admin_users IN SHARE ROW EXCLUSIVE MODE");
        return h.createQuery("SELECT id, name, role FROM admin_users WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Person(rs.getLong("id"), rs.getString("name"),
                        Role.valueOf(rs.getString("role").toUpperCase(java.util.Locale.ROOT)), Set.of()))
                .findOne().orElseThrow(() -> new UnknownPersonException(id));
    }

    private static void requireAnotherAdmin(org.jdbi.v3.core.Handle h, Person p, String what) {
        long others = h.createQuery("SELECT count(*) FROM admin_users WHERE role = 'admin' AND id <> :id")
                .bind("id", p.id()).mapTo(Long.class).one();
        if (others == 0) {
            throw new LastAdminException(p.name(), what);
        }
    }

    /** Everyone, oldest account first. */
    public List<Person> list() {
        Map<Long, Person> people = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT id, name, role FROM admin_users ORDER BY id")
                .map((rs, ctx) -> new Person(rs.getLong("id"), rs.getString("name"),
                        Role.valueOf(rs.getString("role").toUpperCase(java.util.Locale.ROOT)), Set.of()))
                .forEach(p -> people.put(p.id(), p)));
        return people.values().stream().map(p -> new Person(p.id(), p.name(), p.role(), devicesOf(p.id()))).toList();
    }
}
