package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.clock.TestClock;
import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.LoadState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Set up this computer" in Chromium for each system, and a device falling late as the
 * appliance's clock moves: amber after a day and a half without a backup, red after three, and
 * listed first on the dashboard. Screenshots go to appliance/target/screenshots/setup/, or with
 * -Dscreenshots=true to docs/screenshots/setup/ (the NAS shown as 192.168.1.10, ports as 8080
 * and 2222, the laptop as 192.168.1.23).
 */
class SetupThisComputerBrowserTest extends AdminPanelBrowser {

    private static final Path SHOTS = Boolean.getBoolean("screenshots")
            ? repositoryRoot().resolve("docs").resolve("screenshots").resolve("setup")
            : repositoryRoot().resolve("appliance").resolve("target").resolve("screenshots").resolve("setup");

    private final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.MINUTES));

    @Override
    Clock clock() {
        return clock;
    }

    @Test
    void eachSystemGetsAScriptBehindALinkThatWorksOnce() throws Exception {
        BrowserContext context = desktop();
        Page page = watchedPage(context);
        setUpAsAdmin(page);
        backUpLaptop(page);

        for (String os : List.of("Linux", "macOS", "Windows")) {
            page.navigate(base + "/devices/laptop/connect");
            page.getByTestId("setup-this-computer").getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions()
                    .setName(os).setExact(true)).click();
            assertThat(page.locator("h1")).hasText("Set up this computer: laptop");
            assertThat(page.getByLabel("Folders to back up")).hasValue("Documents\nDesktop\nPictures");
            if (os.equals("Windows")) {
                page.getByLabel("Only when plugged in").check();
            }
            page.getByLabel("Daily at").fill("22:30");
            picture(page, "setup-" + os.toLowerCase() + "-form");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Make the " + os + " script")).click();
            assertThat(page.locator("h1")).hasText("The " + os + " script for laptop is ready");
            String command = page.getByTestId("setup-command").innerText().strip();
            assertThat(command).matches(os.equals("Windows") ? "irm http://127\\.0\\.0\\.1:\\d+/setup-script/[\\w-]+ \\| iex"
                    : "curl -sS http://127\\.0\\.0\\.1:\\d+/setup-script/[\\w-]+ \\| sh");
            picture(page, "setup-" + os.toLowerCase() + "-ready");

            String url = command.split(" ")[os.equals("Windows") ? 1 : 2];
            APIResponse script = context.request().get(url);
            assertThat(script.status()).isEqualTo(200);
            assertThat(script.text()).contains("'laptop'", "'22:30'", "[127.0.0.1]:" + appliance.sftpPort() + " ssh-ed25519 ");
            APIResponse again = context.request().get(url);
            assertThat(again.status()).isEqualTo(410);
            assertThat(again.text()).contains("already used");
        }
        page.navigate(base + "/devices/laptop/edit");
        assertThat(page.locator("body")).containsText("SHA256:");
        assertNoDialogsOrConsoleErrors();
    }

    @Test
    void aSilentDeviceTurnsAmberThenRedAndComesFirstOnTheDashboard() throws Exception {
        BrowserContext context = desktop();
        Page page = watchedPage(context);
        setUpAsAdmin(page);
        backUpLaptop(page);
        // A second device, expected weekly: it stays on time, and its name sorts before the laptop's.
        page.navigate(base + "/devices/new");
        page.getByLabel("Device name").fill("anna-pc");
        page.getByLabel("SFTP password").fill("anna pc password");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add device")).click();
        page.navigate(base + "/devices/anna-pc/setup?os=windows");
        page.getByLabel("Expect a backup every").fill("168");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Make the Windows script")).click();
        page.navigate(base + "/");
        assertThat(page.locator(".cards .card").first()).hasAttribute("data-device", "anna-pc");
        assertThat(page.locator(".card[data-device=laptop]")).hasAttribute("data-lateness", "ON_TIME");

        advance(page, Duration.ofHours(37));
        assertThat(page.locator(".card[data-device=laptop]")).hasAttribute("data-lateness", "AMBER");
        assertThat(page.locator(".cards .card").first()).hasAttribute("data-device", "laptop");
        assertThat(page.locator(".card[data-device=laptop] [data-testid=late]")).containsText(
                "laptop: no backup for 1 day — it last connected from 127.0.0.1 on ");
        assertThat(page.locator(".card[data-device=anna-pc]")).hasAttribute("data-lateness", "ON_TIME");
        picture(page, "dashboard-laptop-amber");

        advance(page, Duration.ofHours(36));
        assertThat(page.locator(".card[data-device=laptop]")).hasAttribute("data-lateness", "RED");
        assertThat(page.locator(".cards .card").first()).hasAttribute("data-device", "laptop");
        assertThat(page.locator(".card[data-device=laptop] [data-testid=late]")).containsText("laptop: no backup for 3 days");
        picture(page, "dashboard-laptop-red");

        page.navigate(base + "/devices/laptop/connect");
        assertThat(page.getByTestId("punctuality")).hasAttribute("data-level", "RED");
        assertNoDialogsOrConsoleErrors();
    }

    /** Moves the appliance's clock, a few hours at a time with a page load between so the panel session stays alive. */
    private void advance(Page page, Duration by) {
        Duration left = by;
        while (!left.isZero()) {
            Duration step = left.compareTo(Duration.ofHours(10)) > 0 ? Duration.ofHours(10) : left;
            clock.advance(step);
            left = left.minus(step);
            page.navigate(base + "/");
        }
        assertThat(page).hasURL(base + "/");
    }

    private void picture(Page page, String name) throws IOException {
        page.waitForLoadState(LoadState.NETWORKIDLE);
        page.evaluate("""
                ([http, sftp]) => {
                  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                  const show = s => s.replaceAll('127.0.0.1:' + http, '192.168.1.10:8080')
                      .replaceAll('[127.0.0.1]:' + sftp, '[192.168.1.10]:2222')
                      .replaceAll('from 127.0.0.1', 'from 192.168.1.23').replaceAll('127.0.0.1', '192.168.1.10')
                      .replace(new RegExp('\\\\b' + sftp + '\\\\b', 'g'), '2222');
                  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    const shown = show(n.nodeValue);
                    if (shown !== n.nodeValue) n.nodeValue = shown;
                  }
                }""", List.of(String.valueOf(appliance.httpPort()), String.valueOf(appliance.sftpPort())));
        assertThat(page.locator("body").innerText()).as(name).doesNotContain("127.0.0.1", "/tmp", "junit");
        Files.createDirectories(SHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
    }
}
