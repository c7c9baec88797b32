package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.device.AuthorizedKey;
import app.threefold.device.Devices;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** "Set up this computer" over HTTP: the script behind a link that works once, for 15 minutes, with a key the device accepts. */
@ExtendWith(TestDatabase.class)
class SetupScriptLinksTest {
    static final String HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk4Pj2v1mVJ9o1JZ0E4cHn2QYt0T4kQ6m7pX8cE0w3d";
    private static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+(/setup-script/[A-Za-z0-9_-]+))");

    @TempDir
    Path tmp;
    final TestClock clock = new TestClock(Instant.parse("2026-12-07T04:00:00Z"));
    Devices devices;
    TestPanel.Running panel;
    PanelClient admin;
    PanelClient stranger;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir) throws Exception {
        PasswordHasher hasher = new PasswordHasher(1024, 1, 1, new SecureRandom());
        Accounts accounts = new Accounts(catalog.jdbi(), hasher, clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        devices = new Devices(catalog.jdbi(), hasher, clock);
        devices.create("laptop", "laptop password".toCharArray(), null);
        WebServices base = TestPanel.services(catalog, accounts, clock, dataDir, devices);
        PanelServices p = base.panel();
        PanelServices withSftp = new PanelServices(p.catalog(), p.engine(), p.jobs(), p.restoreTests(), p.restores(), p.audit(),
                p.people(), () -> 2222, p.sources(), p.targets());
        panel = TestPanel.Running.start(new WebServices(base.version(), clock, base.startedAt(), base.health(), accounts,
                base.apiTokens(), dataDir, devices, base.sshHostKeys(), withSftp, base.loginThrottle(), () -> List.of(HOST_KEY)));
        admin = panel.login("alice", "long enough");
        stranger = new PanelClient(panel.server().port(), HttpClient.newHttpClient());
    }

    @AfterEach
    void stop() throws Exception {
        panel.close();
    }

    private String makeScript(String os, Map<String, String> fields) throws Exception {
        HttpResponse<String> form = admin.get("/devices/laptop/setup?os=" + os);
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(form.body()).contains("Documents", "01:30");
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>(Map.of("os", os, "folders", "Documents\nPictures",
                "excludes", "*.tmp", "at", "01:30", "rhythmHours", "24"));
        all.putAll(fields);
        HttpResponse<String> ready = admin.post("/devices/laptop/setup", all);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        Matcher m = URL.matcher(ready.body());
        assertThat(m.find()).as(ready.body()).isTrue();
        assertThat(ready.body()).contains(os.equals("windows") ? "irm " + m.group(1) + " | iex" : "curl -sS " + m.group(1) + " | sh")
                .contains("once", "04:15 UTC");
        return m.group(2);
    }

    @Test
    void theLinkGivesTheScriptOnceWithAKeyTheDeviceNowAccepts() throws Exception {
        String link = makeScript("linux", Map.of());
        // Until the computer fetches the script, no key it could hold is authorized.
        assertThat(devices.find("laptop").orElseThrow().keyFingerprints()).isEmpty();

        HttpResponse<String> script = stranger.get(link);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("HOST='127.0.0.1'", "PORT=2222", "DEVICE='laptop'", "[127.0.0.1]:2222 " + HOST_KEY,
                "+ /Documents/**", "+ /Pictures/**", "- *.tmp");
        String key = script.body().substring(script.body().indexOf("-----BEGIN OPENSSH PRIVATE KEY-----"),
                script.body().indexOf("-----END OPENSSH PRIVATE KEY-----") + 34);
        Path file = Files.writeString(tmp.resolve("id"), key + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Process p = new ProcessBuilder("ssh-keygen", "-y", "-f", file.toString()).redirectErrorStream(true).start();
        String derived = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as(derived).isZero();
        assertThat(devices.find("laptop").orElseThrow().keyFingerprints())
                .containsExactly(AuthorizedKey.parse(derived).fingerprint());

        HttpResponse<String> again = stranger.get(link);
        assertThat(again.statusCode()).isEqualTo(410);
        assertThat(again.body()).contains("already used at 04:00 UTC", "Set up this computer").doesNotContain("PRIVATE KEY");
    }

    @Test
    void aLinkExpiresAfterFifteenMinutes() throws Exception {
        String link = makeScript("macos", Map.of());
        clock.advance(Duration.ofMinutes(15));

        HttpResponse<String> late = stranger.get(link);
        assertThat(late.statusCode()).isEqualTo(410);
        assertThat(late.body()).startsWith("echo 'Threefold: This setup link expired at 04:15 UTC").endsWith("exit 1\n")
                .doesNotContain("PRIVATE KEY");
        assertThat(stranger.get("/setup-script/nonsense").statusCode()).isEqualTo(404);
        // Nobody fetched it: the device accepts no key of it.
        assertThat(devices.find("laptop").orElseThrow().keyFingerprints()).isEmpty();
    }

    @Test
    void aDownloadIsTheSameOneUseAndTheWindowsScriptAsksForAcPower() throws Exception {
        String link = makeScript("windows", Map.of("acPowerOnly", "on", "at", "22:45", "rhythmHours", "48"));

        HttpResponse<byte[]> download = stranger.getBytes(link + "?download=1");
        assertThat(download.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"threefold-setup.ps1\"");
        // Windows PowerShell 5.1 reads a -File script without a byte order mark in the ANSI code page.
        assertThat(java.util.Arrays.copyOf(download.body(), 3)).containsExactly(0xEF, 0xBB, 0xBF);
        assertThat(new String(download.body(), StandardCharsets.UTF_8)).contains("$AcPowerOnly = $true", "$At = '22:45'");
        assertThat(devices.punctuality("laptop").rhythm()).isEqualTo(Duration.ofHours(48));
        assertThat(stranger.get(link).statusCode()).isEqualTo(410);
    }

    @Test
    void aRefusedChoiceSaysWhyAndMakesNoKey() throws Exception {
        HttpResponse<String> r = admin.post("/devices/laptop/setup", Map.of("os", "linux", "folders", "../../etc",
                "excludes", "", "at", "01:30", "rhythmHours", "24"));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("is not a folder inside the home folder");
        assertThat(devices.find("laptop").orElseThrow().keyFingerprints()).isEmpty();
    }

    @Test
    void theConnectPageOffersEachSystemAndSaysWhenTheDeviceIsLate() throws Exception {
        clock.advance(Duration.ofDays(2));
        admin = panel.login("alice", "long enough"); // the earlier session has expired by then
        String page = admin.get("/devices/laptop/connect").body();

        assertThat(page).contains("Set up this computer", "/devices/laptop/setup?os=linux", "/devices/laptop/setup?os=macos",
                "/devices/laptop/setup?os=windows", "data-level=\"AMBER\"", "laptop: no backup yet, added 2 days ago");
    }

    @Test
    void theDashboardMarksALateDeviceAmberThenRedAndListsItFirst() throws Exception {
        devices.create("anna-pc", "anna pc password".toCharArray(), null);
        devices.setRhythm("anna-pc", Duration.ofDays(7));
        devices.recordConnection("laptop", "192.168.1.23");
        String fresh = admin.get("/").body();
        assertThat(fresh.indexOf("data-device=\"anna-pc\"")).isLessThan(fresh.indexOf("data-device=\"laptop\""));
        assertThat(fresh).doesNotContain("data-lateness=\"AMBER\"", "data-lateness=\"RED\"");

        clock.advance(Duration.ofHours(37));
        admin = panel.login("alice", "long enough");
        String amber = admin.get("/").body();
        assertThat(amber.indexOf("data-device=\"laptop\"")).isLessThan(amber.indexOf("data-device=\"anna-pc\""));
        assertThat(amber).contains("late-amber", "data-lateness=\"AMBER\"",
                "laptop: no backup yet, added 1 day ago — it last connected from 192.168.1.23 on 2026-12-07 04:00 UTC");

        clock.advance(Duration.ofHours(36));
        admin = panel.login("alice", "long enough");
        String red = admin.get("/").body();
        assertThat(red.indexOf("data-device=\"laptop\"")).isLessThan(red.indexOf("data-device=\"anna-pc\""));
        assertThat(red).contains("late-red", "data-lateness=\"RED\"", "laptop: no backup yet, added 3 days ago");
        assertThat(devices.lateDevices()).extracting(l -> l.device()).containsExactly("laptop");
    }
}
