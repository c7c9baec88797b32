package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.engine.Engine;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.LoadState;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the admin panel's browser journeys share: the real appliance (in this JVM, embedded
 * PostgreSQL, ephemeral ports) and Chromium driving it, the steps that bring a journey to where it
 * starts (the wizard done, the laptop backed up over real SFTP), and screenshots of the pages to
 * appliance/target/screenshots/ for looking at after a run. The README's screenshots come from
 * {@link HouseholdScreenshotsTest}'s realistic data instead; these show test artefacts (the XSS
 * probe, temporary folders).
 */
abstract class AdminPanelBrowser {

    static final String XSS_NAME = "<img src=x onerror=alert(1)>.txt";
    static final String ADMIN_PASSWORD = "correct horse battery";
    static final String LAPTOP_PASSWORD = "laptop password";
    private static final Path SCREENSHOTS = repositoryRoot().resolve("appliance").resolve("target").resolve("screenshots");

    @TempDir
    Path dataDir;
    @TempDir
    Path work;

    Appliance appliance;
    Playwright playwright;
    Browser browser;
    String base;
    private final List<String> dialogs = new CopyOnWriteArrayList<>();
    private final List<String> consoleErrors = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        appliance = launch(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), Map.of()));
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

    /** The appliance's clock; a journey about time passing gives one it can move. */
    java.time.Clock clock() {
        return java.time.Clock.systemUTC();
    }

    /** Starts the appliance under test; a journey that moves the scheduler's clock starts it its own way. */
    Appliance launch(Config config) {
        return Appliance.start(config, "test", clock());
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

    /** A desktop-sized browser window that accepts downloads. */
    BrowserContext desktop() {
        return browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900).setAcceptDownloads(true));
    }

    /** A page whose console errors and dialogs (an executed XSS probe would open one) are kept for {@link #assertNoDialogsOrConsoleErrors}. */
    Page watchedPage(BrowserContext context) {
        Page page = context.newPage();
        page.onConsoleMessage(m -> {
            if (m.type().equals("error")) {
                consoleErrors.add(m.text());
            }
        });
        page.onDialog(d -> {
            dialogs.add(d.message());
            d.dismiss();
        });
        return page;
    }

    /**
     * No dialog opened and nothing was logged as an error, Content-Security-Policy violations
     * included (Chromium reports them as console errors). The refusals the journeys provoke on
     * purpose (a member's 403, a refused form's 422, a refused restore target's 400) are logged too.
     */
    void assertNoDialogsOrConsoleErrors() {
        assertThat(dialogs).isEmpty();
        assertThat(consoleErrors).filteredOn(m -> !m.contains("403") && !m.contains("422") && !m.contains("status of 400"))
                .isEmpty();
    }

    /** Goes through the setup wizard as "admin" and confirms the recovery kit; the setup journey checks each step. */
    void setUpAsAdmin(Page page) {
        page.navigate(base + "/setup");
        page.getByLabel("Name").fill("admin");
        page.getByLabel("Password (at least 8 characters)").fill(ADMIN_PASSWORD);
        page.getByLabel("Password again").fill(ADMIN_PASSWORD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Set up Threefold")).click();
        assertThat(page).hasURL(base + "/setup/recovery-kit");
        page.getByLabel("I have printed or written down").check();
        page.getByText("Continue to the dashboard").click();
        assertThat(page).hasURL(base + "/");
    }

    /** Adds the laptop as a device and uploads {@link #sampleTree()} over SFTP; the devices journey checks each step. */
    Path backUpLaptop(Page page) throws Exception {
        page.navigate(base + "/devices");
        page.getByText("Add a device").click();
        page.getByLabel("Device name").fill("laptop");
        page.getByLabel("SFTP password").fill(LAPTOP_PASSWORD);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add device")).click();
        assertThat(page).hasURL(base + "/devices/laptop/connect");
        Path tree = sampleTree();
        uploadSampleTree(tree);
        return tree;
    }

    /** The laptop's first upload: the whole sample tree, the XSS probe and an empty file included. */
    void uploadSampleTree(Path tree) throws Exception {
        sftp("laptop", LAPTOP_PASSWORD, tree, "put -rp photos", "put -rp documents",
                "put -p \"" + XSS_NAME + "\"", "put -p empty.txt");
    }

    /** Stand-in for a member's phone: the engine snapshots a folder as an upload session would. */
    void backUpPhone() throws IOException {
        appliance.engine().orElseThrow().backupFolder("phone", sampleTreeOfPhone());
    }

    /** Runs OpenSSH's sftp as the device, in {@code dir}, and waits until the upload is a snapshot. */
    void sftp(String user, String password, Path dir, String... commands) throws Exception {
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

    static void awaitText(Page page, String selector, String text) {
        for (int i = 0; i < 100 && !page.locator(selector).first().textContent().contains(text); i++) {
            page.waitForTimeout(100);
            page.reload();
        }
        assertThat(page.locator(selector).first()).containsText(text);
    }

    Path sampleTree() throws IOException {
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

    /** Flips one byte in the middle of the largest pack on disk. */
    void corruptLargestPack() throws IOException {
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

    static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** The zip's files, with the top folder (the zip's own name) stripped. */
    static Map<String, byte[]> unzip(Path zip) throws IOException {
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

    static void shoot(Page page, String name) throws IOException {
        page.waitForLoadState(LoadState.NETWORKIDLE);
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        return Files.exists(dir.resolve("appliance")) ? dir : dir.getParent();
    }
}
