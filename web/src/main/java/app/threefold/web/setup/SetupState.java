package app.threefold.web.setup;

import app.threefold.account.Accounts;
import app.threefold.settings.Settings;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;

/**
 * Whether the appliance is set up (an admin exists) and whether the admin has confirmed saving
 * the recovery kit. An appliance set up with {@code threefold init} has nothing to confirm.
 */
public final class SetupState {

    static final String KIT_CONFIRMED = "setup.recovery_kit_confirmed";

    private final Accounts accounts;
    private final Settings settings;
    private final AtomicBoolean setUp = new AtomicBoolean();
    /** A restore from a copy is running or done but its admin not yet created: the wizard's other way is closed. */
    private final AtomicBoolean recovering = new AtomicBoolean();

    public SetupState(Accounts accounts, Jdbi jdbi) {
        this.accounts = accounts;
        this.settings = new Settings(jdbi);
    }

    public boolean setUp() {
        // Once true it stays true: accounts are not deleted down to none.
        if (!setUp.get() && accounts.anyAdminExists()) {
            setUp.set(true);
        }
        return setUp.get();
    }

    boolean recovering() {
        return recovering.get();
    }

    void setRecovering(boolean on) {
        recovering.set(on);
    }

    public boolean recoveryKitPending() {
        return settings.get(KIT_CONFIRMED).map("false"::equals).orElse(false);
    }

    void setKitConfirmed(boolean confirmed) {
        settings.put(KIT_CONFIRMED, Boolean.toString(confirmed));
    }
}
