package app.threefold.proof;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.jobs.Job;
import app.threefold.jobs.RestoreProofs;
import app.threefold.repository.TestTrees;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore tests and scrubs start by themselves as the clock moves, one at a time; a copy turns
 * amber when a month's test was missed and red when the latest one failed.
 */
@ExtendWith(TestDatabase.class)
class ProofScheduleTest {

    @TempDir
    Path tmp;
    ProofFixture appliance;

    @BeforeEach
    void applianceWithABackup(Catalog catalog) throws Exception {
        appliance = new ProofFixture(catalog, tmp);
        Path src = tmp.resolve("src");
        TestTrees.write(src.resolve("photos/cat.jpg"), TestTrees.bytes(new Random(7), 2 << 20));
        TestTrees.write(src.resolve("notes.txt"), "keep me\n".getBytes());
        appliance.engine.backupFolder("laptop", src);
    }

    @AfterEach
    void stop() throws Exception {
        appliance.close();
    }

    @Test
    void theMonthlyRestoreTestRunsByItselfAndTheStandingFollowsIt() throws Exception {
        assertThat(tick()).as("a device just backed up is left to settle first").isNull();
        assertThat(appliance.log.standings()).isEmpty();

        appliance.clock.advance(Duration.ofMinutes(61));
        Job first = tick();

        assertThat(first).isNotNull();
        assertThat(first.kind()).isEqualTo(RestoreProofs.KIND);
        assertThat(first.actor()).isEqualTo(ProofSchedule.SCHEDULER);
        assertThat(first.result()).containsEntry("verdict", "passed");
        RestoreTestLog.Standing standing = only(appliance.log.standings());
        assertThat(standing.level()).isEqualTo(RestoreTestLog.Standing.Level.GOOD);
        assertThat(standing.text(appliance.clock.instant())).isEqualTo("restore verified today");
        assertThat(tick()).as("tested this month already").isNull();

        // The first scrub comes a day after the copy was first seen; it finds the NAS clean.
        appliance.clock.advance(Duration.ofDays(1));
        Job scrub = tick();
        assertThat(scrub.kind()).isEqualTo(Scrubs.KIND);
        assertThat(scrub.result()).containsEntry("verdict", "clean");
        assertThat(tick()).isNull();

        // Thirty-six days on, with the appliance off the whole time (no tick): amber.
        appliance.clock.advance(Duration.ofDays(35));
        standing = only(appliance.log.standings());
        assertThat(standing.level()).isEqualTo(RestoreTestLog.Standing.Level.AMBER);
        assertThat(standing.text(appliance.clock.instant())).isEqualTo("restore verified 36 days ago");

        // The disk damaged one pack meanwhile; the next scheduled test fails: red, and the alerts' query says so.
        TestTrees.flipByteInLargestPack(appliance.repository(), 500);
        Job second = tick();
        assertThat(second.kind()).as("the most overdue first").isEqualTo(RestoreProofs.KIND);
        assertThat(second.result()).containsEntry("verdict", "failed");
        standing = only(appliance.log.standings());
        assertThat(standing.level()).isEqualTo(RestoreTestLog.Standing.Level.RED);
        assertThat(standing.text(appliance.clock.instant())).isEqualTo("restore verified 36 days ago; the latest test failed today");
        assertThat(appliance.log.failedTests()).singleElement().satisfies(r -> {
            assertThat(r.device()).isEqualTo("laptop");
            assertThat(r.failures()).extracting(f -> f.get("path")).containsExactly("/photos/cat.jpg");
        });
    }

    @Test
    void aDevicesIntervalIsItsOwn() throws Exception {
        appliance.log.setRhythm("laptop", new RestoreTestLog.Rhythm(7, 0));
        tick();
        appliance.clock.advance(Duration.ofMinutes(61));
        assertThat(tick().kind()).isEqualTo(RestoreProofs.KIND);

        appliance.clock.advance(Duration.ofDays(6));
        assertThat(tick().kind()).as("the first scrub, due a day after the NAS was first seen").isEqualTo(Scrubs.KIND);
        assertThat(tick()).as("six days: the weekly test is not due yet").isNull();
        appliance.clock.advance(Duration.ofDays(1));
        assertThat(tick().kind()).isEqualTo(RestoreProofs.KIND);
        assertThat(appliance.log.history("laptop", RestoreProofs.LOCAL, 10)).hasSize(2);
    }

    @Test
    void aDeviceNewSinceACopysLastSyncIsTestedThereOnlyOnceTheCopyHoldsIt() throws Exception {
        java.nio.file.Files.createDirectories(tmp.resolve("usb"));
        app.threefold.mirror.Target usb = appliance.targets.addFolder("USB disk", tmp.resolve("usb/threefold"),
                app.threefold.mirror.Target.NIGHTLY, 0, "admin");
        appliance.targets.syncNow(usb.id(), false, "admin", null, p -> { });
        appliance.clock.advance(Duration.ofMinutes(1));
        Path phone = tmp.resolve("phone");
        TestTrees.write(phone.resolve("DCIM/1.jpg"), TestTrees.bytes(new Random(3), 1 << 20));
        appliance.engine.backupFolder("phone", phone);

        tick();
        appliance.clock.advance(Duration.ofMinutes(61));
        List<String> tested = new java.util.ArrayList<>();
        for (Job j = tick(); j != null; j = tick()) {
            assertThat(j.result()).as(j.device() + " on " + j.copy()).containsEntry("verdict", "passed");
            tested.add(j.device() + " on " + j.copy());
        }
        String onUsb = " on " + usb.id();
        assertThat(tested).as("the USB disk does not hold the phone yet: no test, no red")
                .containsExactlyInAnyOrder("laptop on local", "laptop" + onUsb, "phone on local");

        appliance.targets.syncNow(usb.id(), false, "admin", null, p -> { });
        appliance.clock.advance(Duration.ofMinutes(1));
        tick();
        appliance.clock.advance(Duration.ofMinutes(61));
        Job phoneOnUsb = tick();
        assertThat(phoneOnUsb.device() + " on " + phoneOnUsb.copy()).isEqualTo("phone" + onUsb);
        assertThat(phoneOnUsb.result()).containsEntry("verdict", "passed").containsEntry("copyName", "USB disk");
    }

    /** One tick of the scheduler; the job it started, ended, or null if nothing was due. */
    private Job tick() throws InterruptedException {
        long before = lastJob();
        appliance.schedule.startDue(appliance.clock.instant());
        long after = lastJob();
        if (after == before) {
            return null;
        }
        return appliance.awaitEnd(appliance.jobs.find(after).orElseThrow());
    }

    private long lastJob() {
        return java.util.stream.Stream.of(RestoreProofs.KIND, Scrubs.KIND)
                .flatMap(kind -> appliance.jobs.history(kind, null, 1).stream()).mapToLong(Job::id).max().orElse(0);
    }

    private static RestoreTestLog.Standing only(List<RestoreTestLog.Standing> standings) {
        assertThat(standings).hasSize(1);
        return standings.get(0);
    }
}
