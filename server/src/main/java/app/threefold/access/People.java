package app.threefold.access;

import app.threefold.account.Accounts;
import app.threefold.account.AdminUser;
import app.threefold.device.MemberDevices;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * The panel's accounts with their roles. Accounts live in {@code admin_users} (see
 * {@link Accounts}); a member is such an account with role {@code member} and a list of devices
 * ({@link MemberDevices}). A change spans both, so it runs in one transaction of the catalog's
 * Jdbi, which the owners' calls join.
 */
public final class People {

    private final Jdbi jdbi;
    private final Accounts accounts;
    private final MemberDevices members;

    public People(Jdbi jdbi, Accounts accounts) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.accounts = Objects.requireNonNull(accounts);
        this.members = new MemberDevices(jdbi);
    }

    /** The person behind an account id; empty if it was deleted. */
    public Optional<Person> find(long userId) {
        return accounts.withRole(userId).map(a -> person(a, members.of(userId)));
    }

    /**
     * Creates a household member who sees and restores only {@code devices}.
     *
     * @throws app.threefold.account.AccountException if the name is invalid or taken, or the password too short
     */
    public Person createMember(String name, char[] password, Collection<String> devices) {
        AdminUser user = accounts.createAdmin(name, password);
        jdbi.useTransaction(h -> {
            accounts.setRole(user.id(), Role.MEMBER.label());
            members.add(user.id(), devices);
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
            Person before = lockAndFind(id);
            if (before.role() == Role.ADMIN && role == Role.MEMBER) {
                if (id == actingId) {
                    throw new OwnAccountException("demote");
                }
                requireAnotherAdmin(before, "demote");
            }
            accounts.setRole(id, role.label());
            members.clear(id);
            if (role == Role.MEMBER) {
                members.add(id, devices);
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
            Person before = lockAndFind(id);
            if (id == actingId) {
                throw new OwnAccountException("remove");
            }
            if (before.role() == Role.ADMIN) {
                requireAnotherAdmin(before, "remove");
            }
            accounts.delete(id);
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

    /** Within the caller's transaction. */
    private Person lockAndFind(long id) {
        // One change of roles at a time: two admins demoting each other at once must not both succeed.
        accounts.lockRolesForTransaction();
        return accounts.withRole(id).map(a -> person(a, Set.of())).orElseThrow(() -> new UnknownPersonException(id));
    }

    private void requireAnotherAdmin(Person p, String what) {
        if (accounts.adminsBesides(p.id()) == 0) {
            throw new LastAdminException(p.name(), what);
        }
    }

    /** Everyone, oldest account first. */
    public List<Person> list() {
        return accounts.allWithRoles().stream().map(a -> person(a, members.of(a.user().id()))).toList();
    }

    private static Person person(Accounts.WithRole account, Set<String> devices) {
        return new Person(account.user().id(), account.user().name(),
                Role.valueOf(account.role().toUpperCase(Locale.ROOT)), devices);
    }
}
