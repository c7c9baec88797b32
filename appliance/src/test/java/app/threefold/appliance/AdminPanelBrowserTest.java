package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.engine.Engine;
import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.LoadState;
import com.microsoft.playwright.options.RequestOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chromium drives the real appliance (in this JVM, embedded PostgreSQL, ephemeral port) through
 * the admin panel: setup wizard, recovery kit, a device's snapshot, browsing and downloading,
 * restore tests green and then red after a pack is damaged on disk, members, logging out.
 * Saves screenshots of the main pages to appliance/target/screenshots/.
 */
class AdminPanelBrowserTest {

    private static final String XSS_NAME = "<img src=x onerror=alert(1)>.txt";
    // The README's screenshots come from HouseholdScreenshotsTest's realistic data; these, of test
    // artefacts (the XSS probe, temporary folders), are for looking at after a run.
    private static final Path SCREENSHOTS = repositoryRoot().resolve("appliance").resolve("target").resolve("screenshots");

    @TempDir
    Path dataDir;
    @TempDir
    Path work;

    private Appliance appliance;
    private Playwright playwright;
    private Browser browser;
    private String base;
    private final List<String> dialogs = new ArrayList<>();

    @BeforeEach
    void start() {
        appliance = Appliance.start(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), Map.of()), "test");
        base = "http://127.0.0.1:" + appliance.httpPort();
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        BrowserType.LaunchOptions launch = new BrowserType.LaunchOptions().setHeadless(true).setArgs(List.of(
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"));
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
        if (appliance != null) {
            appliance.stop();
        }
    }

    @Test
    void fromTheWizardToARedRestoreTestNamingTheDamagedFile() throws Exception {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900)
                .setAcceptDownloads(true));
        Page page = context.newPage();
        List<String> consoleErrors = new ArrayList<>();
        page.onConsoleMessage(m -> {
            if (m.type().equals("error")) {
                consoleErrors.add(m.text());
            }
        });
        page.onDialog(d -> {
            dialogs.add(d.message());
            d.dismiss();
        });

        // Every page leads to the wizard until an admin exists.
        page.navigate(base + "/devices");
        assertThat(page).hasURL(base + "/setup");
        page.getByLabel("Name").fill("admin");
        page.getByLabel("Password (at least 8 characters)").fill("correct horse battery");
        page.getByLabel("Password again").fill("correct horse battery");
        shoot(page, "setup");
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Set up Threefold")).click();

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
        page.emulateMedia(new Page.EmulateMediaOptions().setMedia(com.microsoft.playwright.options.Media.PRINT));
        assertThat(page.locator("header nav")).isHidden();
        page.screenshot(new Page.ScreenshotOptions().setFullPage(true)
                .setPath(repositoryRoot().resolve("appliance/target/recovery-kit-print.png")));
        page.emulateMedia(new Page.EmulateMediaOptions().setMedia(com.microsoft.playwright.options.Media.SCREEN));
        page.navigate(base + "/");
        assertThat(page).hasURL(base + "/setup/recovery-kit");
        page.getByLabel("I have printed or written down").check();
        page.getByText("Continue to the dashboard").click();
        assertThat(page).hasURL(base + "/");

        // Add the laptop as a device, read its connection instructions, upload a tree over real SFTP.
        page.navigate(base + "/devices");
        page.getByText("Add a device").click();
        page.getByLabel("Device name").fill("laptop");
        page.getByLabel("SFTP password").fill("laptop password");
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Add device")).click();
        assertThat(page).hasURL(base + "/devices/laptop/connect");
        assertThat(page.locator("main")).containsText("sftp -P " + appliance.sftpPort() + " laptop@127.0.0.1");
        assertThat(page.locator("main")).containsText("SHA256:");
        shoot(page, "connect");
        Path tree = sampleTree();
        sftp("laptop", "laptop password", tree, "put -rp photos", "put -rp documents",
                "put -p \"" + XSS_NAME + "\"", "put -p empty.txt");
        // Stand-in for the member's phone: the engine snapshots a folder as an upload session would.
        Engine engine = appliance.engine().orElseThrow();
        engine.backupFolder("phone", sampleTreeOfPhone());

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

        // Browse: breadcrumbs, the odd name shown as text, nothing executed.
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
        page.locator(".restore-box").getByText("Restore", new com.microsoft.playwright.Locator.GetByTextOptions()
                .setExact(true)).click();
        assertThat(page.locator("#restore-slot")).containsText("no NAS shares are declared");
        assertThat(page.locator("#restore-slot")).containsText("Settings");
        assertThat(restored).doesNotExist();
        page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("Settings")
                .setExact(true)).first().click();
        page.getByLabel("NAS shares restores may go to").fill(work.toString());
        page.getByText("Save restore folders").click();
        assertThat(page.locator("#restore-folders")).containsText("Saved.");
        shoot(page, "settings");

        // Restore the whole snapshot into a NAS folder, with a progress bar, and compare.
        page.navigate(snapshotPage);
        page.getByText("Restore this snapshot to a folder on the NAS").click();
        page.getByLabel("Target folder on the NAS").fill(restored.toString());
        page.locator(".restore-box").getByText("Restore", new com.microsoft.playwright.Locator.GetByTextOptions()
                .setExact(true)).click();
        assertThat(page.locator("#restore-slot [data-verdict]")).hasAttribute("data-verdict", "restored",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        Map<String, byte[]> restoredFiles = files(restored);
        assertThat(restoredFiles.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, bytes) -> assertThat(restoredFiles.get(name)).as(name).isEqualTo(bytes));
        page.locator(".restore-box").getByText("Restore", new com.microsoft.playwright.Locator.GetByTextOptions()
                .setExact(true)).click();
        assertThat(page.locator("#restore-slot")).containsText("is not empty");

        // A second backup with one file changed: search across snapshots and the file's versions.
        Files.writeString(tree.resolve("photos/notes.md"), "# holiday\nthe second version\n");
        sftp("laptop", "laptop password", tree, "put -p photos/notes.md photos/notes.md");
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

        // Restore test: green.
        page.navigate(base + "/devices/laptop");
        page.locator("[data-device=laptop]").getByText("Test restore").click();
        assertThat(page.locator("[data-verdict]")).hasAttribute("data-verdict", "passed",
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        assertThat(page.locator("[data-verdict]")).containsText("6 files");
        assertThat(page.locator("body")).not().containsText("the restore test failed to run");
        // The card says the same as the verdict below it, without a reload.
        assertThat(page.locator("[data-device=laptop] .tests")).containsText("NAS: passed");
        assertThat(page.locator("[data-device=laptop] .tests")).not().containsText("never run");
        page.reload();
        shoot(page, "device");

        // Edit the laptop: a quota; then the delete confirmation, which says what stays (not submitted).
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Edit").setExact(true)).click();
        assertThat(page).hasURL(base + "/devices/laptop/edit");
        page.getByLabel("Quota in GB").fill("250");
        page.getByText("Save quota").click();
        assertThat(page.getByLabel("Quota in GB")).hasValue("250");
        assertThat(page.locator("main")).containsText("of its 250 GB quota");
        shoot(page, "device-edit");
        page.getByText("Delete laptop…").click();
        assertThat(page.getByTestId("consequences")).containsText("snapshots stay in the repository");
        page.getByLabel("Type laptop to confirm").fill("laptop");
        shoot(page, "device-delete");
        page.navigate(base + "/devices/laptop");

        // The same through the JSON API, as a script would.
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                "admin:correct horse battery".getBytes(StandardCharsets.UTF_8));
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
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        assertThat(page.locator("[data-verdict] .failures")).containsText("/photos/big.bin");
        assertThat(page.locator("[data-device=laptop] .tests")).containsText("NAS: failed");
        assertThat(page.locator("[data-device=laptop] .tests")).not().containsText("passed");
        shoot(page, "restore-test-failed");
        page.reload();
        assertThat(page.locator("table").last()).containsText("failed");

        page.navigate(base + "/activity");
        assertThat(page.locator("#activity-rows")).containsText("Restore test of laptop from the NAS failed");
        assertThat(page.locator("#activity-rows")).containsText("as a zip");
        assertThat(page.locator("#activity-rows")).containsText("Device laptop logged in over SFTP from 127.0.0.1");
        page.getByLabel("Kind of event").selectOption("download.");
        assertThat(page.locator("#activity-rows")).not().containsText("Restore test");
        page.getByLabel("Kind of event").selectOption("");
        shoot(page, "activity");

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
                new com.microsoft.playwright.assertions.LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        assertThat(page.locator("[data-source=photo-share] [data-verdict]")).containsText("2 files");
        page.reload();
        assertThat(page.locator("[data-source=photo-share] [data-status]")).hasText("succeeded");
        shoot(page, "sources");
        page.navigate(base + "/");
        assertThat(page.locator("[data-device=photo-share]")).containsText("Last backup just now");
        assertThat(page.locator("[data-device=photo-share]")).containsText("not a separate kind of storage");
        page.locator("[data-device=photo-share]").getByText("Browse").click();
        assertThat(page.locator("table.listing")).containsText("2026/");

        // A member who owns only the phone.
        page.navigate(base + "/people");
        page.getByLabel("Name").fill("kid");
        page.getByLabel("Password (at least 8 characters)").fill("kids password");
        page.getByLabel("phone").check();
        page.getByText("Add member").click();
        assertThat(page.locator("table")).containsText("kid");
        page.getByText("Log out admin").click();
        assertThat(page).hasURL(base + "/login");
        page.getByLabel("Name").fill("kid");
        page.getByLabel("Password").fill("kids password");
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Log in")).click();
        assertThat(page.locator(".cards")).containsText("phone");
        assertThat(page.locator(".cards")).not().containsText("laptop");
        com.microsoft.playwright.Response forbidden = page.navigate(base + "/devices/laptop");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(context.request().get(base + fileUrl).status()).isEqualTo(403);

        // Logged out, nothing but the login page.
        BrowserContext stranger = browser.newContext();
        Page strangerPage = stranger.newPage();
        for (String path : List.of("/", "/devices/laptop", fileUrl, "/activity")) {
            strangerPage.navigate(base + path);
            assertThat(strangerPage.url()).as(path).startsWith(base + "/login");
            assertThat(strangerPage.locator("h1")).hasText("Log in");
        }
        shoot(strangerPage, "login");
        assertThat(dialogs).isEmpty();
        // Includes Content-Security-Policy violations, which Chromium reports as console errors.
        // The refusals the test provokes on purpose (a member's 403, a refused form's 422, a refused
        // restore target's 400) are logged too.
        assertThat(consoleErrors).filteredOn(m -> !m.contains("403") && !m.contains("422") && !m.contains("status of 400"))
                .isEmpty();
    }

    /** Runs OpenSSH's sftp as the device, in {@code dir}, and waits until the upload is a snapshot. */
    private void sftp(String user, String password, Path dir, String... commands) throws Exception {
        long snapshotsBefore = countSnapshots(user);
        Process p = new ProcessBuilder("sshpass", "-p", password, "sftp", "-o", "BatchMode=no", "-o",
                "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-P", String.valueOf(appliance.sftpPort()), "-b", "-", user + "@127.0.0.1")
                .redirectErrorStream(true).start();
        p.getOutputStream().write(("lcd " + dir + "\n" + String.join("\n", commands) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        // The session becomes a snapshot on its own thread once the client has left.
        for (int i = 0; i < 600 && countSnapshots(user) == snapshotsBefore; i++) {
            Thread.sleep(100);
        }
        assertThat(countSnapshots(user)).as("snapshots of " + user).isEqualTo(snapshotsBefore + 1);
    }

    private long countSnapshots(String device) {
        return appliance.catalog().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM snapshots WHERE device = :d")
                .bind("d", device).mapTo(Long.class).one());
    }

    private static void awaitText(Page page, String selector, String text) {
        for (int i = 0; i < 100 && !page.locator(selector).first().textContent().contains(text); i++) {
            page.waitForTimeout(100);
            page.reload();
        }
        assertThat(page.locator(selector).first()).containsText(text);
    }

    private Path sampleTree() throws IOException {
        Path root = work.resolve("laptop");
        Files.createDirectories(root.resolve("photos"));
        Files.createDirectories(root.resolve("documents/taxes"));
        Files.writeString(root.resolve("documents/letter.txt"), "Dear friend,\nthe backup works.\n");
        Files.writeString(root.resolve("documents/taxes/2026.csv"), "year,amount\n2026,42\n");
        Files.writeString(root.resolve(XSS_NAME), "an odd name, shown as text");
        Files.write(root.resolve("empty.txt"), new byte[0]);
        byte[] big = new byte[4_000_000];
        new Random(7).nextBytes(big);
        Files.write(root.resolve("photos/big.bin"), big);
        Files.writeString(root.resolve("photos/notes.md"), "# holiday\n");
        return root;
    }

    private Path sampleTreeOfPhone() throws IOException {
        Path root = work.resolve("phone");
        Files.createDirectories(root);
        Files.writeString(root.resolve("contacts.vcf"), "BEGIN:VCARD\nEND:VCARD\n");
        return root;
    }

    private void corruptLargestPack() throws IOException {
        Path packs = Engine.repositoryDir(dataDir).resolve("data");
        Path largest;
        try (Stream<Path> s = Files.walk(packs)) {
            largest = s.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(largest.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xff);
        }
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** The zip's files, with the top folder (the zip's own name) stripped. */
    private static Map<String, byte[]> unzip(Path zip) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in, StandardCharsets.UTF_8)) {
            for (ZipEntry e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
                if (!e.isDirectory()) {
                    out.put(e.getName().substring(e.getName().indexOf('/') + 1), z.readAllBytes());
                }
            }
        }
        return out;
    }

    private static void shoot(Page page, String name) throws IOException {
        page.waitForLoadState(LoadState.NETWORKIDLE);
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        return Files.exists(dir.resolve("appliance")) ? dir : dir.getParent();
    }
}
