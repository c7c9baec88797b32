package app.threefold.account;

import java.time.Instant;

/** An administrator of the appliance. */
public record AdminUser(long id, String name, Instant created) {
}
