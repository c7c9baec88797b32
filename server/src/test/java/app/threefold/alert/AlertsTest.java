package app.threefold.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.account.PasswordHasher;
import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.device.ArchivedDevices;
import app.threefold.device.Devices;
import app.threefold.format.Id;
import app.threefold.mirror.SecretBox;
import app.threefold.settings.Settings;
import app.threefold.snapshot.CatalogSnapshots;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.SnapshotRow;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Alerts against a real SMTP server (GreenMail) and a real HTTP receiver, both on 127.0.0.1. */
@ExtendWith(TestDatabase.class)
class AlertsTest {

    record Received(String path, Map<String, List<String>> headers, String body, int status) {
    }

    @TempDir
    Path dataDir;
    Catalog catalog;
    TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    GreenMail smtp;
    GreenMail smtps;
    HttpServer http;
    final List<Received> posts = new CopyOnWriteArrayList<>();
    final AtomicInteger httpStatus = new AtomicInteger(200);
    Channels channels;
    final List<Finding> problems = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp(Catalog catalog) throws Exception {
        this.catalog = catalog;
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtps = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
        smtp.start();
        smtps.start();
        smtp.setUser("alerts@nas.home", "alerts", "mail password");
        smtps.setUser("alerts@nas.home", "alerts", "mail password");
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            posts.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body, httpStatus.get()));
            byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(httpStatus.get(), answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        http.start();
        Properties trustLoopback = new Properties();
        // GreenMail's certificate is its own, self-signed and for no host name: trusted here, in tests only.
        trustLoopback.put("mail.smtps.ssl.trust", "127.0.0.1");
        trustLoopback.put("mail.smtps.ssl.checkserveridentity", "false");
        channels = new Channels(catalog.jdbi(), SecretBox.open(dataDir, new SecureRandom()), new AuditLog(catalog.jdbi(), clock),
                clock, trustLoopback);
    }

    @AfterEach
    void tearDown() {
        smtp.stop();
        smtps.stop();
        http.stop(0);
    }

    private String webhookUrl(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    private Alerts alerts(Condition... conditions) {
        return new Alerts(List.of(conditions), new Incidents(catalog.jdbi()), channels, clock, Duration.ofMinutes(5));
    }

    private Condition problemsCheck() {
        return Condition.of("test-condition", now -> List.copyOf(problems));
    }

    private void addMailAndWebhook() {
        channels.addEmail("Admin's mail", "127.0.0.1", smtps.getSmtps().getPort(), "tls", "alerts", "mail password",
                "threefold@nas.home", "anna@example.org", "admin");
        channels.addWebhook("Home Assistant", webhookUrl("/hook"), "", "admin");
    }

    @Test
    void anIncidentIsSentOnceByMailAndWebhookWhenItOpensAndOnceWhenItClears() throws Exception {
        addMailAndWebhook();
        Alerts alerts = alerts(problemsCheck());
        problems.add(new Finding("laptop", "laptop has not backed up for 4 days",
                "The last backup of laptop was on Wednesday; check that it is on."));

        Alerts.Outcome first = alerts.evaluate();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(5));
            alerts.evaluate();
        }

        assertThat(first.opened()).isEqualTo(1);
        MimeMessage[] mails = smtps.getReceivedMessages();
        assertThat(mails).hasSize(1);
        assertThat(mails[0].getSubject()).isEqualTo("[Threefold] laptop has not backed up for 4 days");
        assertThat(GreenMailUtil.getBody(mails[0])).contains("check that it is on").contains("one more message when it is over");
        assertThat(mails[0].getAllRecipients()[0].toString()).isEqualTo("anna@example.org");
        assertThat(posts).hasSize(1);
        JsonNode json = new ObjectMapper().readTree(posts.get(0).body());
        assertThat(json.path("event").asText()).isEqualTo("opened");
        assertThat(json.path("condition").asText()).isEqualTo("test-condition");
        assertThat(json.path("subject").asText()).isEqualTo("laptop");
        assertThat(json.path("title").asText()).contains("laptop has not backed up for 4 days");

        problems.clear();
        clock.advance(Duration.ofHours(1));
        Alerts.Outcome cleared = alerts.evaluate();
        alerts.evaluate();

        assertThat(cleared.cleared()).isEqualTo(1);
        mails = smtps.getReceivedMessages();
        assertThat(mails).hasSize(2);
        assertThat(mails[1].getSubject()).isEqualTo("[Threefold] Resolved: laptop has not backed up for 4 days");
        assertThat(GreenMailUtil.getBody(mails[1])).contains("was over by");
        assertThat(posts).hasSize(2);
        assertThat(new ObjectMapper().readTree(posts.get(1).body()).path("event").asText()).isEqualTo("cleared");
        assertThat(new Incidents(catalog.jdbi()).open()).isEmpty();
    }

    @Test
    void theSameProblemAgainAfterItClearedIsANewIncident() {
        channels.addWebhook("hook", webhookUrl("/hook"), "", "admin");
        Alerts alerts = alerts(problemsCheck());
        Finding f = new Finding("usb", "Copy usb is 4 days behind", "Sync it.");
        problems.add(f);
        alerts.evaluate();
        problems.clear();
        alerts.evaluate();
        problems.add(f);
        alerts.evaluate();
        alerts.evaluate();

        assertThat(posts).extracting(p -> p.body().contains("\"opened\"") ? "opened" : "cleared")
                .containsExactly("opened", "cleared", "opened");
    }

    @Test
    void aChannelThatWasDownGetsTheMessageLaterAndTheWorkingOneGetsItOnlyOnce() throws Exception {
        channels.addEmail("mail", "127.0.0.1", smtp.getSmtp().getPort(), "none", "", "",
                "threefold@nas.home", "anna@example.org", "admin");
        channels.addWebhook("hook", webhookUrl("/hook"), "", "admin");
        httpStatus.set(503);
        Alerts alerts = alerts(problemsCheck());
        problems.add(new Finding("disk", "The NAS disk is 93 % full", "Free some space."));

        Alerts.Outcome outcome = alerts.evaluate();
        alerts.evaluate();

        assertThat(outcome.sent()).isEqualTo(1);
        assertThat(outcome.failed()).isEqualTo(1);
        assertThat(smtp.getReceivedMessages()).hasSize(1);

        // Nothing reached any channel: the next evaluation tries again.
        smtp.stop();
        problems.add(new Finding("laptop", "laptop has not backed up for 5 days", "Check it."));
        Alerts.Outcome down = alerts.evaluate();
        assertThat(down.sent()).isZero();
        httpStatus.set(200);
        alerts.evaluate();
        alerts.evaluate();
        assertThat(posts.stream().filter(p -> p.status() == 200 && p.body().contains("laptop has not backed up")).count()).isEqualTo(1);
    }

    @Test
    void aProblemThatEndsBeforeAnyChannelExistsIsNeverSent() {
        Alerts alerts = alerts(problemsCheck());
        problems.add(new Finding("laptop", "laptop has not backed up for 4 days", "x"));
        alerts.evaluate();
        problems.clear();
        alerts.evaluate();
        channels.addWebhook("hook", webhookUrl("/hook"), "", "admin");
        alerts.evaluate();

        assertThat(posts).isEmpty();
    }

    @Test
    void aCheckThatFailsLeavesItsIncidentsOpenInsteadOfClearingThem() {
        channels.addWebhook("hook", webhookUrl("/hook"), "", "admin");
        AtomicInteger calls = new AtomicInteger();
        Alerts alerts = alerts(Condition.of("flaky", now -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("catalog unavailable");
            }
            return List.of(new Finding("x", "x is wrong", "detail"));
        }));
        alerts.evaluate();
        alerts.evaluate();
        alerts.evaluate();

        assertThat(posts).hasSize(1);
        assertThat(new Incidents(catalog.jdbi()).open()).hasSize(1);
    }

    @Test
    void theNtfyPresetPostsTheTextWithTitlePriorityAndToken() {
        channels.addNtfy("phone", webhookUrl("/threefold-a1b2c3"), "tk_secret", "admin");
        Alerts alerts = alerts(problemsCheck());
        problems.add(new Finding("usb", "Copy usb is 4 days behind", "Open Copies and sync it now."));
        alerts.evaluate();
        problems.clear();
        alerts.evaluate();

        assertThat(posts).hasSize(2);
        Received opened = posts.get(0);
        assertThat(opened.path()).isEqualTo("/threefold-a1b2c3");
        assertThat(opened.headers().get("Title")).containsExactly("[Threefold] Copy usb is 4 days behind");
        assertThat(opened.headers().get("Priority")).containsExactly("high");
        assertThat(opened.headers().get("Authorization")).containsExactly("Bearer tk_secret");
        assertThat(opened.body()).startsWith("Open Copies and sync it now.");
        assertThat(posts.get(1).headers().get("Title")).containsExactly("[Threefold] Resolved: Copy usb is 4 days behind");
        assertThat(posts.get(1).headers().get("Priority")).containsExactly("default");
    }

    @Test
    void sendTestDeliversATestMessageAndAFailingChannelSaysWhy() throws Exception {
        Channels.View mail = channels.addEmail("mail", "127.0.0.1", smtps.getSmtps().getPort(), "tls", "alerts",
                "mail password", "threefold@nas.home", "anna@example.org", "admin");
        channels.sendTest(mail.id(), "admin");
        assertThat(smtps.getReceivedMessages()).hasSize(1);
        assertThat(smtps.getReceivedMessages()[0].getSubject()).startsWith("[Threefold] Test alert");

        Channels.View wrong = channels.addEmail("wrong password", "127.0.0.1", smtps.getSmtps().getPort(), "tls", "alerts",
                "not the password", "threefold@nas.home", "anna@example.org", "admin");
        assertThatThrownBy(() -> channels.sendTest(wrong.id(), "admin"))
                .isInstanceOf(AlertException.class)
                .hasMessageContaining("wrong password")
                .hasMessageContaining("check the server, port, security and login");

        Channels.View hook = channels.addWebhook("hook", webhookUrl("/hook"), "", "admin");
        httpStatus.set(404);
        assertThatThrownBy(() -> channels.sendTest(hook.id(), "admin"))
                .hasMessageContaining("answered HTTP 404");
    }

    @Test
    void starttlsIsRequiredSoAServerWithoutItNeverSeesThePassword() {
        Channels.View plainServer = channels.addEmail("mail", "127.0.0.1", smtp.getSmtp().getPort(), "starttls", "alerts",
                "mail password", "threefold@nas.home", "anna@example.org", "admin");

        assertThatThrownBy(() -> channels.sendTest(plainServer.id(), "admin"))
                .isInstanceOf(AlertException.class).hasMessageContaining("STARTTLS");
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void thePasswordIsStoredSealedAndNeverListed() {
        channels.addEmail("mail", "127.0.0.1", 587, "starttls", "alerts", "mail password", "threefold@nas.home",
                "anna@example.org", "admin");
        String row = catalog.jdbi().withHandle(h -> h.createQuery("SELECT c::text FROM alert_channels c").mapTo(String.class).one());
        assertThat(row).contains("alerts").doesNotContain("mail password");
        assertThat(channels.list().get(0).toString()).doesNotContain("mail password");
        assertThat(channels.list().get(0).hasSecret()).isTrue();
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> channels.addEmail("m", "smtp.example.org", 587, "ssl3", "", "", "a@b.c", "d@e.f", "admin"))
                .hasMessageContaining("starttls (port 587), tls (port 465) or none");
        assertThatThrownBy(() -> channels.addEmail("m", "smtp.example.org", 587, "tls", "", "", "a@b.c", "not an address", "admin"))
                .hasMessageContaining("The To address");
        assertThatThrownBy(() -> channels.addNtfy("n", "https://ntfy.sh/", "", "admin")).hasMessageContaining("names a topic");
        assertThatThrownBy(() -> channels.addWebhook("w", "ftp://x/y", "", "admin")).hasMessageContaining("not an http(s) URL");
    }

    @Test
    void aDeviceWhoseSessionsChangeNothingOrThatIsDisabledIsNotSilent() throws Exception {
        channels.addEmail("mail", "127.0.0.1", smtp.getSmtp().getPort(), "none", "", "", "threefold@nas.home",
                "anna@example.org", "admin");
        CatalogSnapshots snapshots = new CatalogSnapshots(catalog.jdbi());
        Devices devices = new Devices(catalog.jdbi(), PasswordHasher.standard(), clock);
        devices.create("laptop", "laptop password".toCharArray(), null);
        devices.create("old-pc", "old-pc password".toCharArray(), null);
        devices.setEnabled("old-pc", false);
        snapshots.add(snapshot("laptop", clock.instant()), new SnapshotRow.Counts(1, 1, 1, 1, 0, 0, 0));
        Alerts alerts = alerts(Conditions.deviceSilent(snapshots, devices, new ArchivedDevices(catalog.jdbi()),
                new Settings(catalog.jdbi())));

        // Nightly syncs that found nothing to upload: no snapshot, but each one a backup that completed.
        for (int night = 0; night < 5; night++) {
            clock.advance(Duration.ofDays(1));
            devices.recordBackupCompleted("laptop");
        }
        alerts.evaluate();
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void aDeviceSilentForMoreThanItsDaysIsReportedAndClearsWithItsNextBackup() throws Exception {
        channels.addEmail("mail", "127.0.0.1", smtp.getSmtp().getPort(), "none", "", "", "threefold@nas.home",
                "anna@example.org", "admin");
        CatalogSnapshots snapshots = new CatalogSnapshots(catalog.jdbi());
        Devices devices = new Devices(catalog.jdbi(), PasswordHasher.standard(), clock);
        Settings settings = new Settings(catalog.jdbi());
        devices.create("laptop", "laptop password".toCharArray(), null);
        devices.create("phone", "phone password".toCharArray(), null);
        settings.put(Conditions.silentDaysKey("phone"), "7");
        snapshots.add(snapshot("laptop", clock.instant()), new SnapshotRow.Counts(1, 1, 1, 1, 0, 0, 0));
        snapshots.add(snapshot("phone", clock.instant()), new SnapshotRow.Counts(1, 1, 1, 1, 0, 0, 0));
        Alerts alerts = alerts(Conditions.deviceSilent(snapshots, devices, new ArchivedDevices(catalog.jdbi()), settings));

        clock.advance(Duration.ofDays(3).minusMinutes(1));
        alerts.evaluate();
        assertThat(smtp.getReceivedMessages()).isEmpty();

        clock.advance(Duration.ofDays(1).plusMinutes(1));
        alerts.evaluate();
        alerts.evaluate();
        assertThat(smtp.getReceivedMessages()).extracting(MimeMessage::getSubject)
                .containsExactly("[Threefold] laptop has not backed up for 4 days");

        snapshots.add(snapshot("laptop", clock.instant()), new SnapshotRow.Counts(1, 1, 1, 1, 0, 0, 0));
        alerts.evaluate();
        assertThat(smtp.getReceivedMessages()).extracting(MimeMessage::getSubject)
                .containsExactly("[Threefold] laptop has not backed up for 4 days",
                        "[Threefold] Resolved: laptop has not backed up for 4 days");
    }

    @Test
    void theDiskAbove90PercentIsReported() {
        long[] free = {20};
        Alerts alerts = alerts(Conditions.diskFull(() -> 100, () -> free[0], "/srv/threefold", new Incidents(catalog.jdbi())));
        channels.addWebhook("hook", webhookUrl("/hook"), "", "admin");
        alerts.evaluate();
        assertThat(posts).isEmpty();
        free[0] = 7;
        alerts.evaluate();
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0).body()).contains("The NAS disk is 93 % full").contains("/srv/threefold");
    }

    @Test
    void aMailLoginWithoutEncryptionIsRefusedBeforeThePasswordCrossesTheNetworkInClear() {
        assertThatThrownBy(() -> channels.addEmail("m", "smtp.example.org", 25, "none", "alerts", "mail password",
                "a@b.c", "d@e.f", "admin"))
                .isInstanceOf(AlertException.class)
                .hasMessageContaining("starttls").hasMessageContaining("without a login");
    }

    @Test
    void aWebhookRedirectedToAnotherHostDoesNotCarryItsTokenThere() {
        int port = http.getAddress().getPort();
        http.createContext("/moved", exchange -> {
            exchange.getRequestBody().readAllBytes();
            // Another host name for the same loopback server: what a redirect to a stranger looks like.
            exchange.getResponseHeaders().add("Location", "http://localhost:" + port + "/hook");
            exchange.sendResponseHeaders(307, -1);
            exchange.close();
        });
        Channels.View hook = channels.addWebhook("hook", "http://127.0.0.1:" + port + "/moved", "secret-token", "admin");

        try {
            channels.sendTest(hook.id(), "admin");
        } catch (AlertException refused) {
            assertThat(refused).hasMessageContaining("307");
        }

        assertThat(posts).noneMatch(p -> p.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Authorization")));
    }

    @Test
    void aDiskHoveringAround90PercentIsReportedOnceAndClearsOnlyBelow88() {
        long[] free = {7};
        Alerts alerts = alerts(Conditions.diskFull(() -> 100, () -> free[0], "/srv/threefold",
                new Incidents(catalog.jdbi())));
        channels.addWebhook("hook", webhookUrl("/hook"), "", "admin");
        alerts.evaluate();
        for (long f : new long[] {11, 9, 11, 10, 11}) {
            free[0] = f;
            alerts.evaluate();
        }
        assertThat(posts).as("89-91 %% full, back and forth").hasSize(1);
        free[0] = 13;
        alerts.evaluate();
        assertThat(posts).hasSize(2);
        assertThat(posts.get(1).body()).contains("\"cleared\"");
    }

    @Test
    void aFailedRestoreTestIsReportedWithTheDamagedFilesAndClearsWhenTheNextOnePasses() throws Exception {
        channels.addWebhook("hook", webhookUrl("/hook"), "", "admin");
        app.threefold.jobs.Jobs jobs = new app.threefold.jobs.Jobs(catalog.jdbi(), clock);
        try {
            Alerts alerts = alerts(Conditions.restoreTestFailed(jobs));
            finish(jobs, jobs.submit(app.threefold.jobs.RestoreProofs.KIND, "laptop", "local", "admin", progress -> Map.of(
                    "verdict", "failed", "copyName", "this NAS",
                    "failures", List.of(Map.of("path", "/photos/cat.jpg", "reason", "content differs from its digest")))));
            alerts.evaluate();
            alerts.evaluate();
            finish(jobs, jobs.submit(app.threefold.jobs.RestoreProofs.KIND, "laptop", "local", "admin",
                    progress -> Map.of("verdict", "passed", "copyName", "this NAS", "failures", List.of())));
            alerts.evaluate();

            assertThat(posts).hasSize(2);
            assertThat(posts.get(0).body()).contains("Restore test of laptop from this NAS failed", "/photos/cat.jpg",
                    "content differs from its digest", "\"subject\":\"laptop on local\"");
            assertThat(posts.get(1).body()).contains("\"cleared\"");
        } finally {
            jobs.close();
        }
    }

    private static void finish(app.threefold.jobs.Jobs jobs, app.threefold.jobs.Job job) throws InterruptedException {
        for (int i = 0; i < 200 && jobs.find(job.id()).orElseThrow().finished() == null; i++) {
            Thread.sleep(20);
        }
        assertThat(jobs.find(job.id()).orElseThrow().finished()).isNotNull();
    }

    @Test
    void aCopyNotSyncedForMoreThanThreeDaysIsReported() throws Exception {
        channels.addWebhook("hook", webhookUrl("/hook"), "", "admin");
        app.threefold.jobs.Jobs jobs = new app.threefold.jobs.Jobs(catalog.jdbi(), clock);
        try {
            app.threefold.mirror.Targets targets = new app.threefold.mirror.Targets(catalog.jdbi(), jobs, java.util.Optional::empty,
                    new AuditLog(catalog.jdbi(), clock), dataDir, clock, java.time.ZoneOffset.UTC,
                    app.threefold.mirror.Targets.Settings.DEFAULT);
            Path usb = java.nio.file.Files.createDirectories(dataDir.resolve("usb"));
            targets.addFolder("USB disk", usb, app.threefold.mirror.Target.NIGHTLY, 0, "admin");
            Alerts alerts = alerts(Conditions.copyBehind(targets, new Settings(catalog.jdbi())));

            clock.advance(Duration.ofDays(3).minusHours(1));
            alerts.evaluate();
            assertThat(posts).isEmpty();
            clock.advance(Duration.ofHours(2));
            alerts.evaluate();
            alerts.evaluate();
            assertThat(posts).hasSize(1);
            assertThat(posts.get(0).body()).contains("Copy USB disk is 3 days behind", "has never been synced",
                    "sync it now");
        } finally {
            jobs.close();
        }
    }

    private static Snapshot snapshot(String device, Instant time) {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        return new Snapshot(Id.of(id), time, null, Id.of(new byte[32]), List.of("/"), device, device, new ArrayList<>());
    }
}
