package app.threefold.device;

import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * The catalog's {@code member_devices}: which devices each household member of the panel may see
 * and restore. Kept here, beside the devices, because deleting a device must take it off every
 * member's list in the same transaction; the panel's roles ({@code access.People}) assign them.
 * Called inside another owner's transaction, a method joins it (Jdbi hands nested calls on one
 * thread the same handle).
 */
public final class MemberDevices {

    private final Jdbi jdbi;

    public MemberDevices(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi);
    }

    /** The devices the account {@code userId} may see. */
    public Set<String> of(long userId) {
        return new HashSet<>(jdbi.withHandle(h -> h.createQuery("SELECT device FROM member_devices WHERE user_id = :id")
                .bind("id", userId).mapTo(String.class).list()));
    }

    /** Adds {@code devices} to the account's list (those already on it stay once). */
    public void add(long userId, Collection<String> devices) {
        jdbi.useHandle(h -> {
            for (String device : devices) {
                h.createUpdate("INSERT INTO member_devices (user_id, device) VALUES (:id, :d) ON CONFLICT DO NOTHING")
                        .bind("id", userId).bind("d", device).execute();
            }
        });
    }

    /** Empties the account's list. */
    public void clear(long userId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM member_devices WHERE user_id = :id").bind("id", userId).execute());
    }

    /** Takes a deleted device off every list. */
    void forgetDevice(String name) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM member_devices WHERE device = :n").bind("n", name).execute());
    }
}
