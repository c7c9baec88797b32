package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A device: added with its connection instructions, backed up over real SFTP, on the dashboard, edited. */
class AdminPanelDevicesBrowserTest extends AdminPanelBrowser {

    @Test
    void aDeviceAddedInThePanelBacksUpOverSftpShowsOnTheDashboardAndGetsAQuota() throws Exception {
        Page page = watchedPage(desktop());
        setUpAsAdmin(page);

        // Add the laptop as a device, read its connection instructions, upload a tree over real SFTP.
        page.navigate(base + "/devices");
        page.getByText("Add a device").click();
        page.getByLabel("Device name").fill("laptop");
        page.getByLabel("SFTP password").fill(LAPTOP_PASSWORD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add device")).click();
        assertThat(page).hasURL(base + "/devices/laptop/connect");
        assertThat(page.locator("main")).containsText("sftp -P " + appliance.sftpPort() + " laptop@127.0.0.1");
        assertThat(page.locator("main")).containsText("SHA256:");
        shoot(page, "connect");
        Path tree = sampleTree();
        uploadSampleTree(tree);
        backUpPhone();

        page.navigate(base + "/");
        awaitText(page, "[data-device=laptop]", "Last backup just now");
        assertThat(page.locator("[data-device=laptop]")).containsText("Last backup just now");
        assertThat(page.locator("[data-device=laptop]")).containsText("2 copies · 2 kinds · 0 off-site");
        assertThat(page.locator("[data-device=laptop]")).containsText("an off-site copy");
        // All snapshots are from today: a chart of one day would only repeat one value, so there is none yet.
        assertThat(page.locator("#growth")).hasCount(0);
        shoot(page, "dashboard");
        page.setViewportSize(390, 844);
        shoot(page, "dashboard-phone");
        page.setViewportSize(1280, 900);

        // Edit the laptop: a quota; then the delete confirmation, which says what stays (not submitted).
        page.navigate(base + "/devices/laptop");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Edit").setExact(true)).click();
        assertThat(page).hasURL(base + "/devices/laptop/edit");
        page.getByLabel("Quota in GB").fill("250");
        page.getByText("Save quota").click();
        assertThat(page.getByLabel("Quota in GB")).hasValue("250");
        assertThat(page.locator("main")).containsText("of its 250 GB quota");
        shoot(page, "device-edit");
        page.getByText("Delete laptop…").click();
        assertThat(page.getByTestId("consequences")).containsText("Its 1 snapshot stays in the repository");
        page.getByLabel("Type laptop to confirm").fill("laptop");
        shoot(page, "device-delete");
        page.navigate(base + "/devices/laptop");

        assertNoDialogsOrConsoleErrors();
    }
}
