package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A snapshot in the panel: browsed (the odd name shown as text), downloaded as a file, a range and
 * a zip, restored to a NAS share once one is declared in the settings, then compared with the next
 * backup, searched, and a file's older version downloaded.
 */
class AdminPanelBrowseBrowserTest extends AdminPanelBrowser {

    @Test
    void aSnapshotIsBrowsedDownloadedRestoredToANasShareComparedAndSearched() throws Exception {
        BrowserContext context = desktop();
        Page page = watchedPage(context);
        setUpAsAdmin(page);
        Path tree = backUpLaptop(page);

        // Browse: breadcrumbs, the odd name shown as text, nothing executed.
        page.navigate(base + "/");
        page.locator("[data-device=laptop]").getByText("Browse").click();
        assertThat(page.locator("table.listing")).containsText(XSS_NAME);
        shoot(page, "browse");
        page.getByText("photos/").click();
        assertThat(page.locator("nav.crumbs")).containsText("photos");
        assertThat(page.locator("table.listing")).containsText("big.bin");

        // Download a file and compare its bytes; then a range of it, as a video player asks.
        Download file = page.waitForDownload(() -> page.getByText("big.bin").click());
        byte[] original = Files.readAllBytes(tree.resolve("photos/big.bin"));
        assertThat(Files.readAllBytes(file.path())).isEqualTo(original);
        String fileUrl = page.getByText("big.bin").getAttribute("href");
        APIResponse range = context.request().get(base + fileUrl,
                RequestOptions.create().setHeader("Range", "bytes=1000000-1000099"));
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.headers().get("content-range")).isEqualTo("bytes 1000000-1000099/" + original.length);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(original, 1_000_000, 1_000_100));

        // Download the whole snapshot as a zip and compare every file.
        page.locator("nav.crumbs").getByText("snapshot ").click();
        Download zip = page.waitForDownload(() -> page.getByText("Download this folder as zip").click());
        Map<String, byte[]> zipped = unzip(zip.path());
        Map<String, byte[]> expected = files(tree);
        assertThat(zipped.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, bytes) -> assertThat(zipped.get(name)).as(name).isEqualTo(bytes));

        // A restore goes only under a NAS share the admin declared: refused, with the way out, until then.
        Path restored = work.resolve("restored");
        String snapshotPage = page.url();
        page.getByText("Restore this snapshot to a folder on the NAS").click();
        page.getByLabel("Target folder on the NAS").fill(restored.toString());
        page.locator(".restore-box").getByText("Restore", new Locator.GetByTextOptions().setExact(true)).click();
        assertThat(page.locator("#restore-slot")).containsText("no NAS shares are declared");
        assertThat(page.locator("#restore-slot")).containsText("Settings");
        assertThat(restored).doesNotExist();
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Settings").setExact(true)).first().click();
        page.getByLabel("NAS shares restores may go to").fill(work.toString());
        page.getByText("Save restore folders").click();
        assertThat(page.locator("#restore-folders")).containsText("Saved.");
        shoot(page, "settings");

        // Restore the whole snapshot into a NAS folder, with a progress bar, and compare.
        page.navigate(snapshotPage);
        page.getByText("Restore this snapshot to a folder on the NAS").click();
        page.getByLabel("Target folder on the NAS").fill(restored.toString());
        page.locator(".restore-box").getByText("Restore", new Locator.GetByTextOptions().setExact(true)).click();
        assertThat(page.locator("#restore-slot [data-verdict]")).hasAttribute("data-verdict", "restored",
                new LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        Map<String, byte[]> restoredFiles = files(restored);
        assertThat(restoredFiles.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, bytes) -> assertThat(restoredFiles.get(name)).as(name).isEqualTo(bytes));
        page.locator(".restore-box").getByText("Restore", new Locator.GetByTextOptions().setExact(true)).click();
        assertThat(page.locator("#restore-slot")).containsText("is not empty");

        // A second backup with one file changed: search across snapshots and the file's versions.
        Files.writeString(tree.resolve("photos/notes.md"), "# holiday\nthe second version\n");
        sftp("laptop", LAPTOP_PASSWORD, tree, "put -p photos/notes.md photos/notes.md");
        page.navigate(base + "/devices/laptop");
        awaitText(page, "main", "Compare with previous");
        page.getByText("Compare with previous").click();
        assertThat(page.locator("table.listing tbody tr")).hasCount(1);
        assertThat(page.locator("table.listing")).containsText("/photos/notes.md");
        assertThat(page.locator("main")).containsText("0 added, 1 changed, 0 removed");
        shoot(page, "compare");
        page.goBack();
        page.getByLabel("File name").fill("notes");
        page.getByLabel("File name").press("Enter");
        assertThat(page.locator("table.listing tbody tr")).hasCount(2);
        page.getByLabel("File name").fill("onerror");
        page.getByLabel("File name").press("Enter");
        assertThat(page.locator("table.listing")).containsText("/" + XSS_NAME);
        page.getByLabel("File name").fill("notes");
        page.getByLabel("File name").press("Enter");
        shoot(page, "search");
        page.getByText("History").first().click();
        assertThat(page.locator("table tbody tr")).hasCount(2);
        Download older = page.waitForDownload(() -> page.getByText("Download").last().click());
        assertThat(Files.readString(older.path())).isEqualTo("# holiday\n");
        shoot(page, "history");

        // The zip download is in the activity log.
        page.navigate(base + "/activity");
        assertThat(page.locator("#activity-rows")).containsText("as a zip");

        assertNoDialogsOrConsoleErrors();
    }
}
