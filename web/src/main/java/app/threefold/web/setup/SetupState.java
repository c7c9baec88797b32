package app.threefold.web.setup;

import app.threefold.account.Accounts;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;

/**
 * Whether the appliance is set up (an admin exists) and whether the admin has confirmed saving
 * the recovery kit. An appliance set up with {@code threefold init} has nothing to confirm.
 */
public final class SetupState {

    static final String KIT_CONFIRMED = "setup.recovery_kit_confirmed";

    private final Accounts accounts;
    private final Jdbi jdbi;
    private final AtomicBoolean setUp = new AtomicBoolean();

    public SetupState(Accounts accounts, Jdbi jdbi) {
        this.accounts = accounts;
        this.jdbi = jdbi;
    }

    public boolean setUp() {
        // Once true it stays true: accounts are not deleted down to none.
        if (!setUp.get() && accounts.anyAdminExists()) {
            setUp.set(true);
        }
        return setUp.get();
    }

    public boolean recoveryKitPending() {
        return jdbi.withHandle(h -> h.createQuery("SELECT value FROM settings WHERE key = :k")
                .bind("k", KIT_CONFIRMED).mapTo(String.class).findOne()).map("false"::equals).orElse(false);
    }

    void setKitConfirmed(boolean confirmed) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO settings (key, value) VALUES (:k, :v)
                        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value""")
                .bind("k", KIT_CONFIRMED).bind("v", Boolean.toString(confirmed)).execute());
    }
}
