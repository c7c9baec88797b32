package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The recovery kit after the wizard: a page to print, a file to download, the commands to type, the appliance key explained. */
@ExtendWith(TestDatabase.class)
class RecoveryKitTest {

    @Test
    void theKitIsAlsoATextFileWithThePasswordTheCommandsAndWhatToDoWithTheApplianceKey(Catalog catalog,
            @TempDir Path dataDir) throws Exception {
        Clock clock = Clock.systemUTC();
        PasswordHasher hasher = new PasswordHasher(1024, 1, 1, new SecureRandom());
        Accounts accounts = new Accounts(catalog.jdbi(), hasher, clock);
        Devices devices = new Devices(catalog.jdbi(), hasher, clock);
        try (TestPanel.Running panel = TestPanel.Running.start(TestPanel.services(catalog, accounts, clock, dataDir, devices))) {
            PanelClient browser = new PanelClient(panel.server().port());
            String token = PanelClient.csrfOf(browser.get("/setup").body());
            HttpResponse<String> setUp = browser.send("POST", "/setup", PanelClient.form(Map.of("_csrf", token,
                            "name", "alice", "password", "long enough", "password2", "long enough",
                            "repositoryPassword", "correct horse battery")),
                    Map.of("Content-Type", "application/x-www-form-urlencoded"));
            assertThat(setUp.headers().firstValue("Location")).as(setUp.body()).hasValue("/setup/recovery-kit");
            String repo = dataDir.toAbsolutePath().resolve("repository").toString();
            String key = dataDir.toAbsolutePath().resolve("appliance.key").toString();

            String page = browser.get("/setup/recovery-kit").body();
            assertThat(page).contains("correct horse battery", "href=\"/setup/recovery-kit.txt\"",
                    "restic -r " + repo + " snapshots",
                    "restic -r " + repo + " key add --password-file " + key,
                    "Keep it on the NAS only");
            assertThat(page).doesNotContain("add a new key with <code>restic key add</code> while you still know a password");

            HttpResponse<String> file = browser.get("/setup/recovery-kit.txt");
            assertThat(file.statusCode()).isEqualTo(200);
            assertThat(file.headers().firstValue("Content-Disposition").orElseThrow())
                    .contains("attachment", "threefold-recovery-kit.txt");
            assertThat(file.body()).contains("Repository id", "Recovery password\n  correct horse battery",
                    "On the NAS: " + repo,
                    "restic -r " + repo + " restore latest --host DEVICE --target restored-DEVICE",
                    "restic -r " + repo + " key add --password-file " + key,
                    "Never store it next to a copy of the repository");
        }
    }
}
