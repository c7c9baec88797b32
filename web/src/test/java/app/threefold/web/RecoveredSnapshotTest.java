package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot saved from a crashed SFTP session's journal says on the device page that it is partial, and why. */
@ExtendWith(TestDatabase.class)
class RecoveredSnapshotTest {

    @Test
    void aRecoveredSnapshotIsMarkedPartialWithTheReasonAndAnOrdinaryOneIsNot(Catalog catalog, @TempDir Path dataDir)
            throws Exception {
        Clock clock = Clock.systemUTC();
        PasswordHasher hasher = new PasswordHasher(1024, 1, 1, new SecureRandom());
        Accounts accounts = new Accounts(catalog.jdbi(), hasher, clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        Devices devices = new Devices(catalog.jdbi(), hasher, clock);
        devices.create("laptop", "long enough".toCharArray(), null);
        snapshot(catalog, "laptop", OffsetDateTime.now().minusHours(2), false);
        snapshot(catalog, "laptop", OffsetDateTime.now().minusHours(1), true);

        try (TestPanel.Running panel = TestPanel.Running.start(TestPanel.services(catalog, accounts, clock, dataDir, devices))) {
            String page = panel.login("alice", "long enough").get("/devices/laptop").body();

            assertThat(Pattern.compile("data-testid=\"partial\"").matcher(page).results().count()).isEqualTo(1);
            assertThat(page).contains("Saved after the appliance stopped (a crash or power loss) during an upload",
                    "files still being sent then are missing");
        }
    }

    private static void snapshot(Catalog catalog, String device, OffsetDateTime time, boolean recovered) {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        catalog.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO snapshots (id, device, time, tree, files, bytes, bytes_added, recovered)
                        VALUES (:id, :d, :t, :tree, 3, 300, 100, :r)""")
                .bind("id", id).bind("d", device).bind("t", time).bind("tree", new byte[32]).bind("r", recovered).execute());
    }
}
