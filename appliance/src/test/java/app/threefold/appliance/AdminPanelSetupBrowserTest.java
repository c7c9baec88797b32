package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Media;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The first visit: the setup wizard, then the recovery kit, shown once and confirmed before anything else. */
class AdminPanelSetupBrowserTest extends AdminPanelBrowser {

    @Test
    void everyPageLeadsToTheWizardUntilAnAdminExistsAndTheRecoveryKitMustBeConfirmed() throws Exception {
        Page page = watchedPage(desktop());

        // Every page leads to the wizard until an admin exists.
        page.navigate(base + "/devices");
        assertThat(page).hasURL(base + "/setup");
        page.getByLabel("Name").fill("admin");
        page.getByLabel("Password (at least 8 characters)").fill(ADMIN_PASSWORD);
        page.getByLabel("Password again").fill(ADMIN_PASSWORD);
        shoot(page, "setup");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Set up Threefold")).click();

        // The recovery kit shows the generated password once and must be confirmed.
        assertThat(page).hasURL(base + "/setup/recovery-kit");
        String recoveryPassword = page.getByTestId("recovery-password").textContent().trim();
        assertThat(recoveryPassword).matches("[a-z2-9]{5}(-[a-z2-9]{5}){5}");
        assertThat(page.locator("body")).containsText(appliance.engine().orElseThrow().repository().id().hex());
        shoot(page, "recovery-kit");
        // The kit as a file holds the same password; printed, the page shows the kit without the panel around it.
        Download kitFile = page.waitForDownload(() -> page.getByText("Download as a text file").click());
        assertThat(kitFile.suggestedFilename()).isEqualTo("threefold-recovery-kit.txt");
        try (InputStream in = kitFile.createReadStream()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains(recoveryPassword, "restic -r ");
        }
        page.emulateMedia(new Page.EmulateMediaOptions().setMedia(Media.PRINT));
        assertThat(page.locator("header nav")).isHidden();
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true)
                .setPath(repositoryRoot().resolve("appliance/target/recovery-kit-print.png")));
        page.emulateMedia(new Page.EmulateMediaOptions().setMedia(Media.SCREEN));
        page.navigate(base + "/");
        assertThat(page).hasURL(base + "/setup/recovery-kit");
        page.getByLabel("I have printed or written down").check();
        page.getByText("Continue to the dashboard").click();
        assertThat(page).hasURL(base + "/");

        assertNoDialogsOrConsoleErrors();
    }
}
