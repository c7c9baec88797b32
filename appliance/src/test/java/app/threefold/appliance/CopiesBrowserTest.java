package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.S3Server;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.LoadState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copies journey in Chromium: an admin adds a cloud bucket (s3proxy on 127.0.0.1) and a USB
 * disk's folder in the panel, tests the bucket's connection, syncs both with live progress, sees
 * the dashboard's 3-2-1 line change, and runs a restore test on the bucket copy.
 */
class CopiesBrowserTest {

    private static final Path SCREENSHOTS = Boolean.getBoolean("screenshots")
            ? repositoryRoot().resolve("docs").resolve("screenshots").resolve("household")
            : repositoryRoot().resolve("appliance").resolve("target").resolve("screenshots").resolve("household");
    private static final String HOST = "nas.local";
    /** What the loopback S3 server is shown as in screenshots: a MinIO box on the home network. */
    private static final String SHOWN_S3 = "http://minio.local:9000";

    @TempDir
    Path root;

    private S3Server s3;
    private Appliance appliance;
    private Playwright playwright;
    private Browser browser;
    private String base;

    @BeforeEach
    void start() throws Exception {
        s3 = S3Server.start();
        Path dataDir = Files.createDirectories(root.resolve("threefold"));
        appliance = Appliance.start(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), Map.of()), "1.0");
        base = "http://" + HOST + ":" + appliance.httpPort();
        playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        BrowserType.LaunchOptions launch = new BrowserType.LaunchOptions().setHeadless(true).setArgs(List.of(
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--host-resolver-rules=MAP " + HOST + " 127.0.0.1"));
        if (Files.isExecutable(Path.of("/usr/bin/chromium"))) {
            launch.setExecutablePath(Path.of("/usr/bin/chromium"));
        }
        browser = playwright.chromium().launch(launch);
    }

    @AfterEach
    void stop() throws Exception {
        if (playwright != null) {
            playwright.close();
        }
        if (appliance != null) {
            appliance.stop();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void anAdminAddsABucketAndAUsbDiskSyncsThemAndTestsARestoreFromTheBucket() throws Exception {
        Page page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900)).newPage();
        List<String> consoleErrors = new ArrayList<>();
        page.onConsoleMessage(m -> {
            if (m.type().equals("error")) {
                consoleErrors.add(m.text());
            }
        });
        page.navigate(base + "/");
        page.getByLabel("Name").fill("anna");
        page.getByLabel("Password (at least 8 characters)").fill("sunflower meadow 42");
        page.getByLabel("Password again").fill("sunflower meadow 42");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Set up Threefold")).click();
        page.getByLabel("I have printed or written down").check();
        page.getByText("Continue to the dashboard").click();
        assertThat(page).hasURL(base + "/");

        // A few megabytes that do not compress, so a sync at 2 Mbit/s takes seconds and shows its progress.
        Path laptop = Files.createDirectories(root.resolve("home/anna"));
        byte[] photo = new byte[1 << 20];
        Random random = new Random(14);
        for (int i = 1; i <= 4; i++) {
            random.nextBytes(photo);
            Files.write(laptop.resolve("photo-" + i + ".jpg"), photo);
        }
        Files.writeString(laptop.resolve("thesis.txt"), "chapter one\n".repeat(2000));
        appliance.engine().orElseThrow().backupFolder("anna-laptop", laptop);

        page.navigate(base + "/");
        Locator card = page.locator("[data-device=anna-laptop] [data-rule]");
        assertThat(card).containsText("2 copies · 2 kinds · 0 off-site");

        // A cloud bucket.
        String bucket = s3.createBucket();
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Copies")).click();
        assertThat(page).hasURL(base + "/copies");
        Locator s3Form = page.locator("form[data-add=s3]");
        s3Form.getByLabel("Name").fill("Bucket");
        s3Form.getByLabel("Endpoint").fill(s3.endpoint().toString());
        s3Form.getByLabel("Region").fill(S3Server.REGION);
        s3Form.getByLabel("Bucket", new Locator.GetByLabelOptions().setExact(true)).fill(bucket);
        s3Form.getByLabel("Folder inside the bucket").fill("anna-family");
        s3Form.getByLabel("Access key id").fill(S3Server.ACCESS_KEY);
        s3Form.getByLabel("Secret key").fill(S3Server.SECRET_KEY);
        s3Form.getByLabel("Bandwidth limit in Mbit/s").fill("2");
        s3Form.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Add bucket")).click();
        assertThat(page.locator("h1")).hasText("Bucket");
        assertThat(page.locator("[data-secret]")).hasText("****6789");
        assertThat(page.locator("main")).not().containsText(S3Server.SECRET_KEY);
        // HTMX is a deferred script: the heading can show before it binds the buttons.
        page.waitForLoadState(LoadState.LOAD);

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Test connection")).click();
        assertThat(page.locator("[data-connection]")).hasAttribute("data-connection", "ok",
                new LocatorAssertions.HasAttributeOptions().setTimeout(30_000));
        assertThat(page.locator("[data-connection]")).containsText("holds no copy yet");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sync now")).click();
        Locator progress = page.getByTestId("progress-line");
        assertThat(progress).containsText("sent", new LocatorAssertions.ContainsTextOptions().setTimeout(30_000));
        assertThat(progress).containsText("objects)", new LocatorAssertions.ContainsTextOptions().setTimeout(30_000));
        assertThat(progress).containsText("B/s · ", new LocatorAssertions.ContainsTextOptions().setTimeout(30_000));
        shoot(page, "copy-sync");
        assertThat(page.locator("[data-verdict=synced]")).containsText("Synced.",
                new LocatorAssertions.ContainsTextOptions().setTimeout(120_000));

        // A USB disk's folder.
        Path usb = Files.createDirectories(root.resolve("media/usb"));
        page.navigate(base + "/copies");
        Locator folderForm = page.locator("form[data-add=folder]");
        folderForm.getByLabel("Name").fill("USB disk");
        folderForm.getByLabel("Folder (absolute path)").fill(usb.resolve("threefold").toString());
        folderForm.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Add folder")).click();
        assertThat(page.locator("h1")).hasText("USB disk");
        page.waitForLoadState(LoadState.LOAD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sync now")).click();
        assertThat(page.locator("[data-verdict=synced]")).containsText("Synced.",
                new LocatorAssertions.ContainsTextOptions().setTimeout(120_000));
        assertThat(usb.resolve("threefold/config")).exists();

        page.navigate(base + "/copies");
        assertThat(page.locator("tr[data-name='Bucket'] [data-state]")).hasText("succeeded");
        assertThat(page.locator("tr[data-name='USB disk'] [data-state]")).hasText("succeeded");
        shoot(page, "copies");

        page.navigate(base + "/");
        page.waitForLoadState(LoadState.LOAD);
        assertThat(card).containsText("4 copies · 4 kinds · 1 off-site");
        assertThat(card).containsText("Bucket synced just now");
        assertThat(card).containsText("USB disk synced just now");

        // The restore test reads the bucket copy.
        page.locator("#copy-anna-laptop").selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("Bucket"));
        page.locator("[data-device=anna-laptop]").getByRole(AriaRole.BUTTON,
                new Locator.GetByRoleOptions().setName("Test restore")).click();
        assertThat(page.locator("[data-device=anna-laptop] [data-verdict]")).hasAttribute("data-verdict", "passed",
                new LocatorAssertions.HasAttributeOptions().setTimeout(120_000));
        assertThat(page.locator("#tests-anna-laptop")).containsText("Bucket: passed");
        shoot(page, "dashboard-copies");
        assertThat(consoleErrors).isEmpty();
    }

    /** Full-page screenshot with this machine's paths and loopback addresses shown as on a home network. */
    private void shoot(Page page, String name) throws IOException {
        page.waitForLoadState(LoadState.NETWORKIDLE);
        page.evaluate("""
                ([from, to, s3, shownS3]) => {
                  const show = s => s.replaceAll(from, to).replaceAll(s3, shownS3);
                  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    const shown = show(n.nodeValue);
                    if (shown !== n.nodeValue) n.nodeValue = shown;
                  }
                  for (const i of document.querySelectorAll('input')) {
                    if (i.value.includes(from) || i.value.includes(s3)) i.value = show(i.value);
                  }
                }""", List.of(root.toString(), "/srv", s3.endpoint().toString(), SHOWN_S3));
        String text = page.locator("body").innerText();
        assertThat(text).as(name).doesNotContain("/tmp", "junit", "127.0.0.1");
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        return Files.exists(dir.resolve("appliance")) ? dir : dir.getParent();
    }
}
