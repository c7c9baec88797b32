package app.threefold.web;

import app.threefold.clock.TestClock;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The panel speaks in human units and plain words: sizes, time left, short ids, plurals, activity sentences. */
@ExtendWith(TestDatabase.class)
class PanelWordsTest {

    private final TestClock clock = new TestClock(Instant.now());
    private Catalog catalog;
    private Devices devices;
    private WebServices services;
    private TestPanel.Running panel;
    private PanelClient admin;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir) throws Exception {
        this.catalog = catalog;
        PasswordHasher hasher = new PasswordHasher(1024, 1, 1, new SecureRandom());
        Accounts accounts = new Accounts(catalog.jdbi(), hasher, clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        devices = new Devices(catalog.jdbi(), hasher, clock);
        services = TestPanel.services(catalog, accounts, clock, dataDir, devices);
        panel = TestPanel.Running.start(services);
        admin = panel.login("alice", "long enough");
    }

    @AfterEach
    void stop() throws Exception {
        panel.close();
    }

    @Test
    void aRunningRestoreSaysHowManyMegabytesOfHowManyAreRestoredAndHowLongIsLeft() throws Exception {
        devices.create("laptop", "long enough".toCharArray(), null);
        Jobs jobs = services.panel().jobs();
        CountDownLatch reported = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Job job = jobs.submit("restore", "laptop", "local", "alice", progress -> {
            clock.advance(Duration.ofSeconds(60));
            progress.report(111_000_000L, 322_000_000L, Job.Amount.Unit.BYTES, "restored");
            reported.countDown();
            finish.await();
            return Map.of("target", "/srv/photos", "files", 1, "bytes", 22, "seconds", 0.5);
        });
        reported.await();

        String running = admin.get("/jobs/" + job.id()).body();
        assertThat(running).contains("Restore running: 111 MB of 322 MB restored · 1.9 MB/s · 2 min left (34%)")
                .doesNotContain("111000000");

        finish.countDown();
        String done = awaitDone(job);
        assertThat(done).contains("✔ Restored").contains("1 file, 22 B into").doesNotContain("1 files");
    }

    @Test
    void aRestoreTestOfOneFileSaysOneFile() throws Exception {
        devices.create("phone", "long enough".toCharArray(), null);
        Job job = services.panel().jobs().submit("restore-test", "phone", "local", "alice", progress -> Map.of(
                "verdict", "passed", "snapshot", "1a2b3c4d" + "0".repeat(56), "files", 1, "bytes", 22, "seconds", 0.2,
                "failures", List.of()));
        assertThat(awaitDone(job)).contains("✔ Restore test passed.", "1 file, 22 B restored and verified")
                .doesNotContain("1 files");
    }

    @Test
    void theActivityLogSpeaksInSentencesWithShortIdsAndOneRowPerDeviceAdded() throws Exception {
        assertThat(admin.post("/devices", Map.of("name", "laptop", "password", "long enough password")).statusCode())
                .isEqualTo(303);
        String full = "1a2b3c4d" + "e".repeat(56);
        devices.audit("laptop", "sftp.login", Map.of("address", "10.0.0.7"));
        devices.audit("laptop", "sftp.snapshot", Map.of("snapshot", full, "files", 12, "bytesAdded", 3_400_000,
                "tags", List.of()));

        String page = admin.get("/activity").body();

        assertThat(page).contains("Device laptop logged in over SFTP from 10.0.0.7",
                "Snapshot 1a2b3c4d saved: 12 files, 3.4 MB added");
        assertThat(page).doesNotContain(full).doesNotContain("tags: []").doesNotContain("<code>sftp.login</code>")
                .doesNotContain("device.created");
        assertThat(Pattern.compile("Added device laptop").matcher(page).results().count())
                .as("one action, one row").isEqualTo(1);
        assertThat(page).contains("<td>alice</td><td>Added device laptop</td>");
    }

    @Test
    void theStoredBytesChartWaitsForTwoDaysOfData() throws Exception {
        // Noon of a past day, so that "two hours earlier" is the same day whatever the time of the run.
        OffsetDateTime noon = LocalDate.now().minusDays(5).atTime(12, 0).atZone(ZoneId.systemDefault()).toOffsetDateTime();
        snapshot("laptop", noon.minusHours(2));
        snapshot("laptop", noon.minusHours(1));
        assertThat(admin.get("/").body()).doesNotContain("id=\"growth\"").doesNotContain("Stored bytes over time");

        snapshot("laptop", noon.minusDays(2));
        assertThat(admin.get("/").body()).contains("id=\"growth\"", "Stored bytes over time");
    }

    private void snapshot(String device, OffsetDateTime time) {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        catalog.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO snapshots (id, device, time, tree, files, bytes, bytes_added)
                        VALUES (:id, :d, :t, :tree, 3, 300, 100)""")
                .bind("id", id).bind("d", device).bind("t", time).bind("tree", new byte[32]).execute());
    }

    private String awaitDone(Job job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!services.panel().jobs().find(job.id()).orElseThrow().done()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + job.id() + " still running");
            }
            Thread.sleep(20);
        }
        return admin.get("/jobs/" + job.id()).body();
    }
}
