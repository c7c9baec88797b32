package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The monthly restore test runs by itself: the scheduler's clock is moved past the point where the
 * laptop's first test is due, and the dashboard's card says "restore verified today" without anyone
 * pressing a button. Then a scrub from the Copies page: clean, and after a pack is damaged (no
 * other copy to repair it from), the files it takes are named.
 */
class ScheduledProofBrowserTest extends AdminPanelBrowser {

    private static final Path SCREENSHOTS = Boolean.getBoolean("screenshots")
            ? repositoryRoot().resolve("docs").resolve("screenshots")
            : repositoryRoot().resolve("appliance").resolve("target").resolve("screenshots");

    /** The scheduler's clock: real time plus however far the test has moved it. */
    static final class MovableClock extends Clock {
        private volatile Duration ahead = Duration.ZERO;

        void advance(Duration d) {
            ahead = ahead.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(ahead);
        }
    }

    private final MovableClock schedulerClock = new MovableClock();

    @Override
    Appliance launch(Config config) {
        return Appliance.start(config, "test", java.time.Clock.systemUTC(), schedulerClock, Duration.ofMillis(200));
    }

    @Test
    void theScheduledRestoreTestRunsByItselfAndItsVerdictShowsOnTheDashboard() throws Exception {
        Page page = watchedPage(desktop());
        setUpAsAdmin(page);
        backUpLaptop(page);
        page.navigate(base + "/");
        Locator tests = page.locator("[data-device=laptop] .tests");
        assertThat(tests).containsText("never run");
        // A tick sees the new device; nothing is due until its first backups have settled for an hour.
        page.waitForTimeout(1_000);
        page.reload();
        assertThat(tests).containsText("never run");

        schedulerClock.advance(Duration.ofMinutes(61));
        for (int i = 0; i < 300 && !tests.textContent().contains("restore verified"); i++) {
            page.waitForTimeout(200);
            page.reload();
        }
        assertThat(tests).containsText("NAS: passed");
        assertThat(tests).containsText("restore verified today");
        assertThat(tests.locator("[data-level=good]")).hasCount(1);
        shootHere(page, "dashboard-restore-verified");
        page.navigate(base + "/activity");
        assertThat(page.locator("#activity-rows")).containsText("scheduler");

        // A scrub from the Copies page: every pack intact.
        page.navigate(base + "/copies");
        Locator nas = page.locator("tr[data-copy=local]");
        assertThat(nas).containsText("never scrubbed");
        nas.getByText("Scrub now").click();
        assertThat(nas.locator("[data-verdict]")).hasAttribute("data-verdict", "clean",
                new LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        assertThat(nas.locator("[data-verdict]")).containsText("every pack intact");

        // Damage on the NAS with no copy to repair it from: the scrub names the file it takes.
        corruptLargestPack();
        page.reload();
        assertThat(nas).containsText("all intact");
        nas.getByText("Scrub now").click();
        assertThat(nas.locator("[data-verdict]")).hasAttribute("data-verdict", "damaged",
                new LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        assertThat(nas.locator("[data-verdict] .failures")).containsText("/photos/big.bin");
        shootHere(page, "copies-scrub-damaged");
        page.reload();
        assertThat(nas.locator("[data-scrub]")).hasAttribute("data-scrub", "bad");
        assertThat(nas).containsText("no copy could repair");

        assertNoDialogsOrConsoleErrors();
    }

    private static void shootHere(Page page, String name) throws IOException {
        page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE);
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }
}
