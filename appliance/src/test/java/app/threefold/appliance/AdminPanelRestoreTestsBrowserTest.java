package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.RequestOptions;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Restore tests: green from the device page and through the JSON API, then red after a pack is
 * damaged on disk, naming the damaged file; the activity log tells.
 */
class AdminPanelRestoreTestsBrowserTest extends AdminPanelBrowser {

    @Test
    void aRestoreTestPassesThenFailsNamingTheFileOfADamagedPack() throws Exception {
        Page page = watchedPage(desktop());
        setUpAsAdmin(page);
        backUpLaptop(page);

        // Restore test: green.
        page.navigate(base + "/devices/laptop");
        page.locator("[data-device=laptop]").getByText("Test restore").click();
        assertThat(page.locator("[data-verdict]")).hasAttribute("data-verdict", "passed",
                new LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        assertThat(page.locator("[data-verdict]")).containsText("6 files");
        assertThat(page.locator("body")).not().containsText("the restore test failed to run");
        // The card says the same as the verdict below it, without a reload.
        assertThat(page.locator("[data-device=laptop] .tests")).containsText("NAS: passed");
        assertThat(page.locator("[data-device=laptop] .tests")).not().containsText("never run");
        page.reload();
        shoot(page, "device");

        // The same through the JSON API, as a script would.
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                ("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
        APIResponse started = playwright.request().newContext().post(base + "/api/v1/restore-tests",
                RequestOptions.create().setHeader("Authorization", basic).setHeader("Content-Type", "application/json")
                        .setData("{\"device\": \"laptop\", \"copy\": \"local\"}"));
        assertThat(started.status()).isEqualTo(202);
        String job = started.text().replaceAll("\\D+", "");
        String state = "";
        for (int i = 0; i < 600 && !state.contains("\"state\":\"succeeded\""); i++) {
            state = playwright.request().newContext().get(base + "/api/v1/jobs/" + job,
                    RequestOptions.create().setHeader("Authorization", basic)).text();
            page.waitForTimeout(100);
        }
        assertThat(state).contains("\"state\":\"succeeded\"", "\"verdict\":\"passed\"", "\"failures\":[]");

        // Damage one byte in the middle of the largest pack, then test again: red, naming the file.
        corruptLargestPack();
        page.locator("[data-device=laptop]").getByText("Test restore").click();
        assertThat(page.locator("[data-verdict]")).hasAttribute("data-verdict", "failed",
                new LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        assertThat(page.locator("[data-verdict] .failures")).containsText("/photos/big.bin");
        assertThat(page.locator("[data-device=laptop] .tests")).containsText("NAS: failed");
        assertThat(page.locator("[data-device=laptop] .tests")).not().containsText("passed");
        shoot(page, "restore-test-failed");
        page.reload();
        assertThat(page.locator("table").last()).containsText("failed");

        page.navigate(base + "/activity");
        assertThat(page.locator("#activity-rows")).containsText("Restore test of laptop from the NAS failed");
        assertThat(page.locator("#activity-rows")).containsText("Device laptop logged in over SFTP from 127.0.0.1");
        page.getByLabel("Kind of event").selectOption("download.");
        assertThat(page.locator("#activity-rows")).not().containsText("Restore test");
        page.getByLabel("Kind of event").selectOption("");
        shoot(page, "activity");

        assertNoDialogsOrConsoleErrors();
    }
}
