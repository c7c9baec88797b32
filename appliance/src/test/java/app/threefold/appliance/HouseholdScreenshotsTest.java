package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.chunker.ChunkerParams;
import app.threefold.engine.Engine;
import app.threefold.ingest.Backups;
import app.threefold.ingest.FolderSource;
import app.threefold.ingest.IngestSession;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.LoadState;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's screenshots, taken from a household rather than from test artefacts: Anna's
 * laptop, Ben's MacBook and the family PC with months of snapshots (photos, taxes, recipes,
 * homework), the photo share on the NAS as a local source, restore tests, and the recovery kit,
 * whose commands are then run as printed with plain restic and with Threefold's own CLI.
 *
 * <p>The months of history are snapshots the engine stores with a clock set in the past (the
 * in-JVM appliance itself runs on the real clock); the latest upload of Anna's laptop goes over
 * real SFTP. The browser reaches the appliance as {@code nas.local}, and the temporary folder the
 * test runs in is shown as {@code /srv} in the screenshots, as on a NAS, and the ephemeral SFTP port
 * as the default 2222, the loopback address Anna's laptop logs in from as a LAN address: no screenshot may show a path of the machine that took it.
 */
class HouseholdScreenshotsTest {

    // The README's pictures are retaken on purpose (-Dscreenshots=true); an ordinary test run keeps
    // them in target/ to look at, so that `./mvnw verify` leaves the work tree clean.
    private static final Path SCREENSHOTS = Boolean.getBoolean("screenshots")
            ? repositoryRoot().resolve("docs").resolve("screenshots").resolve("household")
            : repositoryRoot().resolve("appliance").resolve("target").resolve("screenshots").resolve("household");
    private static final String ADMIN = "anna";
    private static final String ADMIN_PASSWORD = "sunflower meadow 42";
    private static final String HOST = "nas.local";

    /** Stands for /srv on the NAS: the data directory is {@code root/threefold}, shares are {@code root/nas}. */
    @TempDir
    Path root;

    private Path dataDir;
    private Appliance appliance;
    private Playwright playwright;
    private Browser browser;
    private String base;
    private final Instant now = Instant.now();
    private final Random random = new Random(2025);

    @BeforeEach
    void start() throws IOException {
        dataDir = Files.createDirectories(root.resolve("threefold"));
        appliance = Appliance.start(ConfigLoader.load(new ConfigLoader.Flags(dataDir, "127.0.0.1", 0, 0), Map.of()), "1.0");
        base = "http://" + HOST + ":" + appliance.httpPort();
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
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
    void stop() {
        if (playwright != null) {
            playwright.close();
        }
        if (appliance != null) {
            appliance.stop();
        }
    }

    @Test
    void aHouseholdWithMonthsOfBackupsAsTheReadmeShowsIt() throws Exception {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
        Page page = context.newPage();
        List<String> consoleErrors = new ArrayList<>();
        page.onConsoleMessage(m -> {
            if (m.type().equals("error")) {
                consoleErrors.add(m.text());
            }
        });

        // The wizard, as Anna sets the NAS up.
        page.navigate(base + "/");
        assertThat(page).hasURL(base + "/setup");
        page.getByLabel("Name").fill(ADMIN);
        page.getByLabel("Password (at least 8 characters)").fill(ADMIN_PASSWORD);
        page.getByLabel("Password again").fill(ADMIN_PASSWORD);
        shoot(page, "setup");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Set up Threefold")).click();
        assertThat(page).hasURL(base + "/setup/recovery-kit");
        String recoveryPassword = page.getByTestId("recovery-password").textContent().trim();
        assertThat(page.locator("main")).containsText("/srv/threefold/repository".replace("/srv", root.toString()));
        shoot(page, "recovery-kit");
        page.getByLabel("I have printed or written down").check();
        page.getByText("Continue to the dashboard").click();
        assertThat(page).hasURL(base + "/");

        // Three devices, each with its own password; Anna's connection instructions name the NAS as the browser does.
        for (String device : List.of("anna-laptop", "ben-macbook", "family-pc")) {
            page.navigate(base + "/devices/new");
            page.getByLabel("Device name").fill(device);
            page.getByLabel("SFTP password").fill(device + " secret");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add device")).click();
            assertThat(page).hasURL(base + "/devices/" + device + "/connect");
            if (device.equals("anna-laptop")) {
                assertThat(page.locator("main")).containsText("sftp -P " + appliance.sftpPort() + " anna-laptop@" + HOST);
                shoot(page, "connect");
            }
        }

        // Months of history, stored as the engine would have stored them then.
        Path anna = root.resolve("home/anna");
        Path ben = root.resolve("home/ben");
        Path family = root.resolve("home/family");
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        for (int month = 6; month >= 1; month--) {
            LocalDate day = today.minusMonths(month).withDayOfMonth(3);
            annaLaptopAsOf(anna, day, 6 - month);
            backupAt("anna-laptop", anna, at(day, 21, 14));
        }
        for (int fortnight = 8; fortnight >= 0; fortnight--) {
            Instant when = now.minus(Duration.ofDays(2 + 14L * fortnight)).minus(Duration.ofHours(3));
            benMacbookAsOf(ben, LocalDate.ofInstant(when, ZoneOffset.UTC), 8 - fortnight);
            backupAt("ben-macbook", ben, when);
        }
        for (int month = 3; month >= 0; month--) {
            LocalDate day = today.minusMonths(month).minusDays(12);
            familyPcAsOf(family, day, 3 - month);
            backupAt("family-pc", family, at(day, 20, 45));
        }
        // Tonight's backup of Anna's laptop arrives over SFTP: two new photos and this month's budget.
        LocalDate tonight = today;
        List<String> newPhotos = List.of(photoName(tonight, 0), photoName(tonight, 1));
        for (String photo : newPhotos) {
            photo(anna.resolve("Pictures/" + tonight.getYear() + "/" + photo), random.nextInt(), tonight);
        }
        budget(anna.resolve("Documents/Budget " + tonight.getYear() + ".csv"), 7, tonight);
        sftp("anna-laptop", "anna-laptop secret", anna, "-mkdir Pictures/" + tonight.getYear(),
                "put -p Pictures/" + tonight.getYear() + "/" + newPhotos.get(0) + " Pictures/" + tonight.getYear() + "/" + newPhotos.get(0),
                "put -p Pictures/" + tonight.getYear() + "/" + newPhotos.get(1) + " Pictures/" + tonight.getYear() + "/" + newPhotos.get(1),
                "put -p \"Documents/Budget " + tonight.getYear() + ".csv\" \"Documents/Budget " + tonight.getYear() + ".csv\"");

        // The photo share on the NAS, snapshotted every night.
        Path share = root.resolve("nas/Family Photos");
        for (int i = 0; i < 6; i++) {
            LocalDate day = LocalDate.of(today.getYear() - 1, 7, 10 + i);
            photo(share.resolve("Holidays " + day.getYear() + "/Brittany/" + photoName(day, i)), random.nextInt(), day);
        }
        photo(share.resolve("Grandma 80th/IMG_20240914_151203.jpg"), random.nextInt(), LocalDate.of(2024, 9, 14));
        photo(share.resolve("Grandma 80th/IMG_20240914_152845.jpg"), random.nextInt(), LocalDate.of(2024, 9, 14));
        page.navigate(base + "/sources");
        page.getByLabel("Name (letters").fill("family-photos");
        page.getByLabel("Folder on the NAS").fill(share.toString());
        page.getByLabel("Time of day").fill("03:30");
        page.getByText("Add source").click();
        assertThat(page.locator("[data-source=family-photos]")).containsText("daily at 03:30");
        page.locator("[data-source=family-photos]").getByText("Run now").click();
        assertThat(page.locator("[data-source=family-photos] [data-verdict]")).hasAttribute("data-verdict", "backed-up",
                new LocatorAssertions.HasAttributeOptions().setTimeout(60_000));
        assertThat(page.locator("[data-source=family-photos] [data-verdict]")).containsText("8 files");
        page.reload();
        assertThat(page.locator("[data-source=family-photos] [data-status]")).hasText("succeeded");
        shoot(page, "sources");

        // A restore test of Anna's laptop, green.
        page.navigate(base + "/devices/anna-laptop");
        page.locator("[data-device=anna-laptop]").getByText("Test restore").click();
        assertThat(page.locator("[data-verdict]")).hasAttribute("data-verdict", "passed",
                new LocatorAssertions.HasAttributeOptions().setTimeout(120_000));
        // The page's table of tests shows the verdict too, before any reload.
        assertThat(page.locator("#device-tests tbody tr")).hasCount(1);
        assertThat(page.locator("#device-tests tbody tr").first()).containsText("passed");
        page.reload();
        assertThat(page.locator("table.striped").first().locator("tbody tr")).hasCount(7);
        shoot(page, "device");

        // The dashboard: three devices and the photo share; the family PC has not backed up for twelve days.
        page.navigate(base + "/");
        for (String device : List.of("anna-laptop", "ben-macbook", "family-pc", "family-photos")) {
            assertThat(page.locator("[data-device=" + device + "]")).isVisible();
        }
        assertThat(page.locator("[data-device=anna-laptop]")).containsText("Last backup");
        assertThat(page.locator("[data-device=anna-laptop]")).not().hasClass(java.util.regex.Pattern.compile(".*\\bstale\\b.*"));
        assertThat(page.locator("[data-device=ben-macbook]")).containsText("Last backup 2 days ago");
        assertThat(page.locator("[data-device=family-pc]")).containsText("stale");
        assertThat(page.locator("[data-device=family-pc]")).hasClass(java.util.regex.Pattern.compile(".*\\bstale\\b.*"));
        awaitChart(page);
        shoot(page, "dashboard");
        page.setViewportSize(390, 844);
        if (page.locator("#growth").count() > 0) {
            page.waitForFunction("() => document.getElementById('growth').getBoundingClientRect().width < 400");
        }
        shoot(page, "dashboard-phone");
        page.setViewportSize(1280, 900);

        // Browsing Anna's latest snapshot like a file manager: folders first, an icon per kind.
        page.locator("[data-device=anna-laptop]").getByText("Browse").click();
        assertThat(page.locator("table.listing tbody tr").first()).hasAttribute("data-kind", "folder");
        page.locator("table.listing").getByText("Documents/").click();
        Locator rows = page.locator("table.listing tbody tr");
        assertThat(rows.nth(0)).containsText("Letters/");
        assertThat(rows.nth(1)).containsText("Recipes/");
        assertThat(page.locator("table.listing")).containsText("Taxes " + (today.getYear() - 1) + ".pdf");
        assertThat(page.locator("tr[data-kind=document]").first()).isVisible();
        assertThat(page.locator("tr[data-kind=archive]")).containsText("Old phone backup.zip");
        shoot(page, "browse");
        page.locator("nav.crumbs").getByText("snapshot ").click();
        page.locator("table.listing").getByText("Pictures/").click();
        page.locator("table.listing").getByText(tonight.getYear() + "/").click();
        page.locator("tr", new Page.LocatorOptions().setHasText(newPhotos.get(0))).getByText("preview").click();
        Locator image = page.locator(".preview-image img");
        assertThat(image).isVisible();
        page.waitForFunction("img => img.complete && img.naturalWidth > 0", image.elementHandle());
        shoot(page, "preview");

        // Search every snapshot, then one file's versions.
        page.navigate(base + "/devices/anna-laptop");
        page.getByLabel("File name").fill("budget");
        page.getByLabel("File name").press("Enter");
        assertThat(page.locator("table.listing tbody tr").first()).containsText("Budget");
        shoot(page, "search");
        page.getByText("History").first().click();
        assertThat(page.locator("table tbody tr")).hasCount(7);
        shoot(page, "history");

        // What tonight's backup changed.
        page.navigate(base + "/devices/anna-laptop");
        page.getByText("Compare with previous").first().click();
        assertThat(page.locator("main")).containsText("2 added, 1 changed, 0 removed");
        assertThat(page.locator("table.listing")).containsText(newPhotos.get(1));
        shoot(page, "compare");

        // Editing a device, and what deleting it would mean (not submitted).
        page.navigate(base + "/devices/ben-macbook/edit");
        page.getByLabel("Quota in GB").fill("200");
        page.getByText("Save quota").click();
        assertThat(page.locator("main")).containsText("of its 200 GB quota");
        shoot(page, "device-edit");
        page.getByText("Delete ben-macbook…").click();
        assertThat(page.getByTestId("consequences")).containsText("snapshots stay in the repository");
        page.getByLabel("Type ben-macbook to confirm").fill("ben-macbook");
        shoot(page, "device-delete");

        page.navigate(base + "/activity");
        assertThat(page.locator("#activity-rows")).containsText("ben-macbook");
        shoot(page, "activity");

        // The recovery kit's commands, typed as printed: plain restic and Threefold's CLI restore Anna's laptop.
        page.navigate(base + "/setup/recovery-kit");
        Path passwordFile = Files.writeString(root.resolve("recovery-password.txt"), recoveryPassword + "\n");
        String threefold = page.getByTestId("kit-threefold").textContent().trim();
        List<String> restic = page.getByTestId("kit-restic").textContent().trim().lines().toList();
        assertThat(threefold).startsWith("java -jar threefold.jar restore ").contains("--device anna-laptop");
        assertThat(restic).allSatisfy(line -> assertThat(line).startsWith("restic "));
        Path byThreefold = root.resolve("restored-by-threefold");
        List<String> args = words(threefold.replace("restored-anna-laptop", byThreefold.toString()));
        int status = Main.run(args.subList(3, args.size()).toArray(String[]::new), Map.of(), System.out, System.err);
        assertThat(status).as(threefold).isZero();
        assertThat(files(byThreefold)).isEqualTo(files(anna));
        Path byRestic = root.resolve("restored-by-restic");
        // restic asks for the password; a person types it, the test hands it over the way restic reads it.
        String withPassword = "RESTIC_PASSWORD_FILE=recovery-password.txt ";
        assertThat(shell(withPassword + restic.get(0))).contains("anna-laptop", "ben-macbook", "family-pc");
        String annaRestore = restic.stream().filter(l -> l.contains("--host anna-laptop")).findFirst().orElseThrow();
        shell(withPassword + annaRestore.replace("restored-anna-laptop", byRestic.toString()));
        assertThat(files(byRestic)).isEqualTo(files(anna));

        // One byte of a pack damaged on the NAS's disk: the next restore test is red and names what it hit.
        corruptLargestPack();
        page.navigate(base + "/devices/anna-laptop");
        page.locator("[data-device=anna-laptop]").getByText("Test restore").click();
        assertThat(page.locator("[data-verdict]")).hasAttribute("data-verdict", "failed",
                new LocatorAssertions.HasAttributeOptions().setTimeout(120_000));
        assertThat(page.locator("[data-verdict] .failures")).containsText("/");
        assertThat(page.locator("#device-tests tbody tr").first()).containsText("failed");
        shoot(page, "restore-test-failed");

        BrowserContext stranger = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
        Page login = stranger.newPage();
        login.navigate(base + "/devices/anna-laptop");
        assertThat(login.locator("h1")).hasText("Log in");
        shoot(login, "login");

        assertThat(consoleErrors).isEmpty();
    }

    // ---- the household's files ----------------------------------------------------------------

    private void annaLaptopAsOf(Path home, LocalDate day, int step) throws IOException {
        int year = day.getYear();
        if (step == 0) {
            pdf(home.resolve("Documents/Taxes " + (year - 1) + ".pdf"), "Income tax return " + (year - 1), day);
            text(home.resolve("Documents/Recipes/Grandma's apple pie.md"), """
                    # Grandma's apple pie

                    - 6 apples (Boskoop)
                    - 250 g flour, 125 g butter, 1 egg
                    - cinnamon, a little sugar

                    Bake 45 minutes at 180 °C.
                    """, day);
            text(home.resolve("Documents/Recipes/Lasagne.txt"), "Lasagne for six\n\nSauce: onions, 500 g minced beef, tomatoes.\n", day);
            text(home.resolve("Documents/Recipes/Pancakes.txt"), "Pancakes: 3 eggs, 300 ml milk, 150 g flour.\n", day);
            zip(home.resolve("Documents/Old phone backup.zip"), day);
            bytes(home.resolve("Documents/CV Anna.docx"), 38_000, day);
            bytes(home.resolve("Music/Here Comes The Sun.mp3"), 420_000, day);
            bytes(home.resolve("Videos/Ben's birthday.mp4"), 3_000_000, day);
        }
        if (step == 3) {
            pdf(home.resolve("Documents/Letters/Landlord " + day + ".pdf"), "Rent agreement", day);
        }
        for (int i = 0; i < 3; i++) {
            photo(home.resolve("Pictures/" + year + "/" + photoName(day.plusDays(i * 4L), i)), random.nextInt(), day);
        }
        budget(home.resolve("Documents/Budget " + LocalDate.ofInstant(now, ZoneOffset.UTC).getYear() + ".csv"), step + 1, day);
    }

    private void benMacbookAsOf(Path home, LocalDate day, int step) throws IOException {
        if (step == 0) {
            bytes(home.resolve("Games/minecraft-world.zip"), 260_000, day);
            text(home.resolve("School/Reading list.txt"), "The Hobbit\nWonder\nHoles\n", day);
        }
        bytes(home.resolve("School/Maths homework " + (step + 1) + ".pdf"), 24_000 + step * 1000, day);
        if (step % 3 == 0) {
            bytes(home.resolve("School/Essay - The Sea.docx"), 30_000 + step * 500, day);
        }
        photo(home.resolve("Pictures/IMG_" + (step + 1) + ".jpg"), random.nextInt(), day);
    }

    private void familyPcAsOf(Path home, LocalDate day, int step) throws IOException {
        if (step == 0) {
            pdf(home.resolve("Scans/Passport Anna.pdf"), "Passport", day);
            pdf(home.resolve("Scans/Car insurance.pdf"), "Insurance policy", day);
            for (int i = 0; i < 5; i++) {
                LocalDate shot = LocalDate.of(2024, 6, 12).plusDays(i);
                photo(home.resolve("Photos/Holidays 2024/" + photoName(shot, i)), random.nextInt(), shot);
            }
        }
        text(home.resolve("Shopping list.txt"), "milk\nbread\napples\n" + "coffee\n".repeat(step), day);
        pdf(home.resolve("Scans/Electricity bill " + day.getMonthValue() + ".pdf"), "Electricity bill", day);
    }

    private static String photoName(LocalDate day, int n) {
        return "IMG_" + day.format(DateTimeFormatter.BASIC_ISO_DATE) + "_" + String.format("%02d%02d%02d", 10 + n, 15 + n * 7 % 40, 3 + n * 11 % 50) + ".jpg";
    }

    private static Instant at(LocalDate day, int hour, int minute) {
        return day.atTime(hour, minute).toInstant(ZoneOffset.UTC);
    }

    /** A landscape: sky, sun, hills, in colours that differ per photo. */
    private void photo(Path file, int seed, LocalDate day) throws IOException {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(480, 360, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        Color sky = Color.getHSBColor(0.52f + r.nextFloat() * 0.1f, 0.45f + r.nextFloat() * 0.3f, 0.95f);
        g.setPaint(new GradientPaint(0, 0, sky, 0, 250, sky.brighter().brighter()));
        g.fillRect(0, 0, 480, 360);
        g.setColor(new Color(255, 214 + r.nextInt(30), 90));
        int sun = 40 + r.nextInt(30);
        g.fillOval(60 + r.nextInt(330), 30 + r.nextInt(80), sun, sun);
        for (int layer = 0; layer < 3; layer++) {
            g.setColor(Color.getHSBColor(0.22f + r.nextFloat() * 0.15f, 0.5f + layer * 0.1f, 0.65f - layer * 0.15f));
            int[] xs = new int[12];
            int[] ys = new int[12];
            for (int i = 0; i < 10; i++) {
                xs[i] = i * 480 / 9;
                ys[i] = 200 + layer * 45 + r.nextInt(60) - 30;
            }
            xs[10] = 480;
            ys[10] = 360;
            xs[11] = 0;
            ys[11] = 360;
            g.fillPolygon(xs, ys, 12);
        }
        g.dispose();
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "jpg", file.toFile());
        touch(file, day);
    }

    private void pdf(Path file, String title, LocalDate day) throws IOException {
        String body = "BT /F1 18 Tf 72 720 Td (" + title + ") Tj ET";
        text(file, "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                + "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
                + "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
                + "4 0 obj << /Length " + body.length() + " >> stream\n" + body + "\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
                day);
    }

    private void budget(Path file, int months, LocalDate day) throws IOException {
        StringBuilder s = new StringBuilder("month,rent,food,energy,savings\n");
        for (int m = 1; m <= months; m++) {
            s.append(m).append(",950,").append(480 + m * 13 % 70).append(',').append(110 + m * 7 % 30).append(",200\n");
        }
        text(file, s.toString(), day);
    }

    private void zip(Path file, LocalDate day) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("contacts.vcf"));
            z.write("BEGIN:VCARD\nFN:Grandma\nTEL:+33 1 23 45 67 89\nEND:VCARD\n".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        touch(file, day);
    }

    private void bytes(Path file, int size, LocalDate day) throws IOException {
        byte[] b = new byte[size];
        random.nextBytes(b);
        Files.createDirectories(file.getParent());
        Files.write(file, b);
        touch(file, day);
    }

    private void text(Path file, String content, LocalDate day) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        touch(file, day);
    }

    /** Dates the file, and its folders as writing it would have, up to the home folder. */
    private void touch(Path file, LocalDate day) throws IOException {
        for (Path p = file; p != null && p.getNameCount() > root.getNameCount() + 2; p = p.getParent()) {
            Files.setLastModifiedTime(p, FileTime.from(at(day, 18, 30)));
        }
    }

    // ---- the appliance ------------------------------------------------------------------------

    /** Snapshots {@code folder} as the engine did at {@code when}. */
    private void backupAt(String device, Path folder, Instant when) throws IOException {
        Engine engine = appliance.engine().orElseThrow();
        engine.repository().syncIndex();
        Backups backups = new Backups(engine.repository(), engine.storeWorkers(), engine.digests(),
                Clock.fixed(when, ZoneOffset.UTC), ChunkerParams.DEFAULT);
        IngestSession.Result result = backups.backupFolder(device, folder, FolderSource.Progress.NONE);
        engine.recordSnapshot(result.snapshot(), result);
    }

    /** Runs OpenSSH's sftp as the device, in {@code dir}, and waits until the upload is a snapshot. */
    private void sftp(String user, String password, Path dir, String... commands) throws Exception {
        long before = countSnapshots(user);
        Process p = new ProcessBuilder("sshpass", "-p", password, "sftp", "-o", "BatchMode=no", "-o",
                "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-P", String.valueOf(appliance.sftpPort()), "-b", "-", user + "@127.0.0.1")
                .redirectErrorStream(true).start();
        p.getOutputStream().write(("lcd \"" + dir + "\"\n" + String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        for (int i = 0; i < 600 && countSnapshots(user) == before; i++) {
            Thread.sleep(100);
        }
        assertThat(countSnapshots(user)).as("snapshots of " + user).isEqualTo(before + 1);
    }

    private long countSnapshots(String device) {
        return appliance.catalog().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM snapshots WHERE device = :d")
                .bind("d", device).mapTo(Long.class).one());
    }

    /** Runs a command line as a shell would, in the folder holding the password file; returns its output. */
    private String shell(String line) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", line).directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(line + "\n" + out).isZero();
        return out;
    }

    /** Splits a command line into words as sh does for what the kit prints (plain words and single quotes). */
    private List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    words.add(word.toString());
                }
                word.setLength(0);
                any = false;
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            words.add(word.toString());
        }
        // The kit names the password file relative to where the user runs it: here, root.
        return words.stream().map(w -> w.equals("recovery-password.txt") ? root.resolve(w).toString() : w).toList();
    }

    private void awaitChart(Page page) {
        if (page.locator("#growth").count() > 0) {
            page.waitForFunction("() => !!Chart.getChart(document.getElementById('growth'))");
        }
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

    private static Map<String, String> files(Path dir) throws IOException {
        Map<String, String> out = new HashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /**
     * Saves a screenshot, showing the temporary folder the test runs in as {@code /srv} (the NAS
     * folder it stands for) and asserting that nothing of the test run is left on the page.
     */
    private void shoot(Page page, String name) throws IOException {
        page.waitForLoadState(LoadState.NETWORKIDLE);
        page.evaluate("""
                ([from, to, port]) => {
                  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                  const show = s => s.replaceAll(from, to).replaceAll('127.0.0.1', '192.168.1.23').replace(new RegExp('\\\\b' + port + '\\\\b', 'g'), '2222');
                  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    const shown = show(n.nodeValue);
                    if (shown !== n.nodeValue) n.nodeValue = shown;
                  }
                  for (const i of document.querySelectorAll('input')) {
                    if (i.value.includes(from)) i.value = i.value.replaceAll(from, to);
                  }
                }""", List.of(root.toString(), "/srv", String.valueOf(appliance.sftpPort())));
        String text = page.locator("body").innerText();
        assertThat(text).as(name).doesNotContain("/tmp", "junit", "127.0.0.1", "<img", "onerror");
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        return Files.exists(dir.resolve("appliance")) ? dir : dir.getParent();
    }
}
