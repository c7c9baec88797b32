package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A folder on the NAS itself as a local source: refused inside the data directory, scheduled, run now, browsed. */
class AdminPanelSourcesBrowserTest extends AdminPanelBrowser {

    @Test
    void aFolderOnTheNasIsSnapshottedOnAScheduleAndRunNowShowsTheBackupLive() throws Exception {
        Page page = watchedPage(desktop());
        setUpAsAdmin(page);

        // A folder on the NAS itself, snapshotted on a schedule; "Run now" shows the backup live.
        Path share = work.resolve("photo-share");
        Files.createDirectories(share.resolve("2026/summer"));
        Files.writeString(share.resolve("2026/summer/beach.jpg"), "a photo of the beach");
        Files.writeString(share.resolve("2026/summer/dunes.jpg"), "a photo of the dunes");
        page.navigate(base + "/sources");
        page.getByLabel("Name (letters").fill("photo-share");
        page.getByLabel("Folder on the NAS").fill(dataDir.resolve("repository").toString());
        page.getByText("Add source").click();
        assertThat(page.locator("[role=alert]")).containsText("inside the appliance's data directory");
        page.getByLabel("Folder on the NAS").fill(share.toString());
        page.getByLabel("Time of day").fill("03:30");
        page.getByText("Add source").click();
        assertThat(page).hasURL(base + "/sources");
        assertThat(page.locator("[data-source=photo-share]")).containsText("daily at 03:30");
        page.locator("[data-source=photo-share]").getByText("Run now").click();
        assertThat(page.locator("[data-source=photo-share] [data-verdict]")).hasAttribute("data-verdict", "backed-up",
                new LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        assertThat(page.locator("[data-source=photo-share] [data-verdict]")).containsText("2 files");
        page.reload();
        assertThat(page.locator("[data-source=photo-share] [data-status]")).hasText("succeeded");
        shoot(page, "sources");
        page.navigate(base + "/");
        assertThat(page.locator("[data-device=photo-share]")).containsText("Last backup just now");
        assertThat(page.locator("[data-device=photo-share]")).containsText("not a separate kind of storage");
        page.locator("[data-device=photo-share]").getByText("Browse").click();
        assertThat(page.locator("table.listing")).containsText("2026/");

        assertNoDialogsOrConsoleErrors();
    }
}
