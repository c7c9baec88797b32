package app.threefold.access;

import java.util.Set;

/** An account of the panel with its role and, for a member, the devices assigned to them. */
public record Person(long id, String name, Role role, Set<String> devices) {

    public Person {
        devices = Set.copyOf(devices);
    }

    /** Whether this person may see and restore {@code device}. */
    public boolean mayAccess(String device) {
        return role == Role.ADMIN || devices.contains(device);
    }
}
