package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.appliance.PeerAppliances.GuestSftp;
import app.threefold.appliance.PeerAppliances.Running;
import app.threefold.clock.TestClock;
import app.threefold.peer.Pairing;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pairing in two browsers against two appliances: Sam invites on B ("Sam's NAS"), Alex
 * pastes the code on A ("Alex's NAS"), Sam sees the guest, A's delete waits on B and Sam keeps the
 * file; screenshots with -Dscreenshots=true.
 */
class FriendsBrowserTest {
    private static final Path SCREENSHOTS = Boolean.getBoolean("screenshots")
            ? repositoryRoot().resolve("docs").resolve("screenshots").resolve("friends")
            : repositoryRoot().resolve("appliance").resolve("target").resolve("screenshots").resolve("friends");

    @TempDir
    Path root;
    private Running hostB;
    private Running guestA;
    private Playwright playwright;
    private Browser browser;

    @BeforeEach
    void start() throws Exception {
        Instant now = Instant.parse("2026-12-07T10:00:00Z");
        hostB = PeerAppliances.start(root.resolve("sam"), new TestClock(now));
        guestA = PeerAppliances.start(root.resolve("alex"), new TestClock(now));
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        BrowserType.LaunchOptions launch = new BrowserType.LaunchOptions().setHeadless(true).setArgs(List.of(
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--host-resolver-rules=MAP sam-nas.local 127.0.0.1, MAP alex-nas.local 127.0.0.1"));
        if (Files.isExecutable(Path.of("/usr/bin/chromium"))) {
            launch.setExecutablePath(Path.of("/usr/bin/chromium"));
        }
        browser = playwright.chromium().launch(launch);
    }

    @AfterEach
    void stop() {
        if (playwright != null) {
            playwright.close();
        }
        if (guestA != null) {
            guestA.close();
        }
        if (hostB != null) {
            hostB.close();
        }
    }

    private Page logIn(Running appliance, String host, List<String> consoleErrors) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
        Page page = context.newPage();
        page.onConsoleMessage(m -> {
            if (m.type().equals("error")) {
                consoleErrors.add(m.text());
            }
        });
        page.navigate("http://" + host + ":" + appliance.appliance().httpPort() + "/login");
        page.getByLabel("Name").fill("admin");
        page.getByLabel("Password").fill(PeerAppliances.ADMIN_PASSWORD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Friends")).click();
        return page;
    }

    @Test
    void samInvitesAlexPastesTheCodeAndSamKeepsAFileAlexAskedToDelete() throws Exception {
        List<String> consoleErrors = new ArrayList<>();
        Page sam = logIn(hostB, "sam-nas.local", consoleErrors);
        Page alex = logIn(guestA, "alex-nas.local", consoleErrors);

        Locator invite = sam.locator("#invite");
        invite.getByLabel("This NAS's name").fill("Sam's NAS");
        invite.getByLabel("Address").fill("127.0.0.1");
        assertThat(invite.getByLabel("SFTP port")).hasValue(Integer.toString(hostB.sftpPort()));
        invite.getByLabel("Space offered (GB)").fill("500");
        invite.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Make a pairing code")).click();
        Locator code = sam.locator("[data-code]");
        assertThat(code).containsText("TF1-");
        shot(sam, "1-sam-invite-code");
        String text = code.textContent().strip();

        Locator add = alex.locator("#add-friend");
        add.getByLabel("Pairing code").fill(text);
        add.getByLabel("This NAS's name").fill("Alex's NAS");
        add.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pair").setExact(true)).click();
        assertThat(alex.getByRole(AriaRole.STATUS)).containsText("Paired with Sam's NAS");
        assertThat(alex.locator(".pairings")).containsText("Sam's NAS");
        shot(alex, "2-alex-paired");

        // The same code pasted again: refused with what to do, and still one pairing.
        add = alex.locator("#add-friend");
        add.getByLabel("Pairing code").fill(text);
        add.getByLabel("This NAS's name").fill("Alex's NAS");
        add.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pair").setExact(true)).click();
        assertThat(alex.getByRole(AriaRole.ALERT)).containsText("already used");
        assertThat(alex.locator(".pairings li")).hasCount(1);

        sam.navigate("http://sam-nas.local:" + hostB.appliance().httpPort() + "/friends");
        Locator row = sam.locator("tr[data-guest]");
        assertThat(row).containsText("Alex's NAS");
        assertThat(row.locator("[data-quiet]")).containsText("never");

        // Alex's appliance logs in with its pairing key, uploads an object and asks to delete it.
        Pairing pairing = guestA.appliance().peers().pairings().list().getFirst();
        try (GuestSftp a = GuestSftp.open(hostB.sftpPort(), pairing.user(), pairing.keyFile(), pairing.hostKey())) {
            a.sftp().mkdir("/snapshots");
            a.put("/snapshots/5e1f-tmp-1", "snapshot".getBytes());
            a.sftp().rename("/snapshots/5e1f-tmp-1", "/snapshots/5e1f");
            a.sftp().remove("/snapshots/5e1f");
        }
        sam.navigate("http://sam-nas.local:" + hostB.appliance().httpPort() + "/friends");
        row = sam.locator("tr[data-guest]");
        assertThat(row.locator("[data-quiet]")).hasCount(0);
        assertThat(row.locator(".deletions")).containsText("snapshots/5e1f");
        shot(sam, "3-sam-guest-pending-deletion");
        row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Keep it")).click();
        assertThat(sam.getByRole(AriaRole.STATUS)).containsText("Kept snapshots/5e1f");
        assertThat(sam.locator("tr[data-guest] .deletions")).hasCount(0);

        // Eight days without a login: Sam is warned (and logs in again: the panel's session has ended meanwhile).
        hostB.clock().advance(Duration.ofDays(8));
        sam = logIn(hostB, "sam-nas.local", consoleErrors);
        assertThat(sam.locator("tr[data-guest] [data-quiet]")).containsText("not seen for over 7 days");

        // Pair back: one click from the guest's row, the form pinned to Alex's host key.
        sam.locator("tr[data-guest]").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pair back")).click();
        assertThat(sam.locator("#add-friend")).containsText("Pairing back with Alex's NAS");
        shot(sam, "4-sam-pair-back");

        // A code made and not wanted after all (sent to the wrong person): withdrawn from the list of unused ones.
        sam.navigate("http://sam-nas.local:" + hostB.appliance().httpPort() + "/friends");
        invite = sam.locator("#invite");
        invite.getByLabel("This NAS's name").fill("Sam's NAS");
        invite.getByLabel("Address").fill("127.0.0.1");
        invite.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Make a pairing code")).click();
        Locator unused = sam.locator("#open-invites li");
        assertThat(unused).hasCount(1);
        assertThat(unused).containsText("127.0.0.1:" + hostB.sftpPort());
        shot(sam, "5-sam-unused-code");
        unused.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Withdraw")).click();
        assertThat(sam.getByRole(AriaRole.STATUS)).containsText("Withdrawn");
        assertThat(sam.locator("#open-invites")).hasCount(0);
        // The refused second pairing answers 422, which Chromium logs; nothing else may fail.
        assertThat(consoleErrors).allMatch(e -> e.contains("status of 422"));
    }

    private static void shot(Page page, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        return Files.exists(dir.resolve("appliance")) ? dir : dir.getParent();
    }
}
