package app.threefold.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.audit.AuditLog;
import app.threefold.backend.S3Settings;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.jobs.Jobs;
import app.threefold.sources.Schedule;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestDatabase.class)
class TargetsTest {

    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final S3Settings B2 = S3Settings.of(URI.create("https://s3.eu-central-003.backblazeb2.com"), "eu-central-003",
            "family-backup", "nas", "003abcdef0000000000000001", SECRET);

    @TempDir
    Path dataDir;
    Catalog catalog;
    Jobs jobs;
    TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));

    @BeforeEach
    void setUp(Catalog catalog) {
        this.catalog = catalog;
        jobs = new Jobs(catalog.jdbi(), clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        jobs.close();
    }

    private Targets targets() {
        return new Targets(catalog.jdbi(), jobs, () -> Optional.empty(), new AuditLog(catalog.jdbi(), clock), dataDir,
                clock, ZoneOffset.UTC, Targets.Settings.DEFAULT);
    }

    @Test
    void theSecretKeyIsStoredEncryptedShownMaskedAndKeptOutOfTheAuditLog() {
        Target added = targets().addS3("Backblaze", B2, Target.NIGHTLY, 0, "admin");

        assertThat(added.s3().maskedSecret()).isEqualTo("****EKEY").doesNotContain(SECRET);
        assertThat(added.location()).isEqualTo("s3:https://s3.eu-central-003.backblazeb2.com/family-backup/nas");
        assertThat(added.toString()).doesNotContain(SECRET);
        String row = catalog.jdbi().withHandle(h -> h.createQuery("SELECT t::text FROM targets t").mapTo(String.class).one());
        assertThat(row).contains("family-backup").doesNotContain(SECRET).doesNotContain(SECRET.substring(0, 16));
        String audit = catalog.jdbi().withHandle(h -> h.createQuery("SELECT string_agg(detail::text, ' ') FROM audit_log")
                .mapTo(String.class).one());
        assertThat(audit).contains("Backblaze").doesNotContain(SECRET);
        assertThat(Files.exists(dataDir.resolve("targets.key"))).isTrue();
    }

    @Test
    void theKeyFileIsOwnerOnlyAndOneReadableByOthersIsRefused() throws Exception {
        targets();
        Path key = dataDir.resolve("targets.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(this::targets).isInstanceOf(SecretKeyException.class)
                .hasMessageContaining("may be read or changed by other users").hasMessageContaining("chmod 600");
    }

    @Test
    void aSecretUnderAnotherKeyFileIsRefusedClearlyAndNotUsed() throws Exception {
        TargetId id = targets().addS3("Backblaze", B2, Target.NIGHTLY, 0, "admin").id();
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(other);
        Files.write(dataDir.resolve("targets.key"), other);

        assertThatThrownBy(() -> targets().open(id)).isInstanceOf(SecretKeyException.class)
                .hasMessageContaining("cannot be decrypted").hasMessageContaining("enter the target's secret key again");
    }

    @Test
    void changingTheSecretKeepsItHiddenAndLeavingItBlankKeepsTheOldOne() {
        Targets targets = targets();
        TargetId id = targets.addS3("Backblaze", B2, Target.NIGHTLY, 0, "admin").id();

        Target kept = targets.changeS3(id, B2.endpoint(), B2.region(), B2.bucket(), "nas", "new-key-id", "", true,
                S3Settings.Checksums.WHEN_REQUIRED, "admin");
        Target changed = targets.changeS3(id, B2.endpoint(), B2.region(), B2.bucket(), "nas", "new-key-id",
                "another-secret-of-forty-characters-XYZW", true, S3Settings.Checksums.WHEN_REQUIRED, "admin");

        assertThat(kept.s3().maskedSecret()).isEqualTo("****EKEY");
        assertThat(kept.s3().accessKey()).isEqualTo("new-key-id");
        assertThat(changed.s3().maskedSecret()).isEqualTo("****XYZW");
    }

    @Test
    void badNamesTakenNamesAndRelativeFoldersAreRefusedWithWhatToDo() {
        Targets targets = targets();
        targets.addFolder("USB disk", Path.of("/media/usb"), Target.NIGHTLY, 0, "admin");

        assertThatThrownBy(() -> targets.addFolder("USB disk", Path.of("/media/other"), Target.NIGHTLY, 0, "admin"))
                .isInstanceOf(InvalidTargetException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> targets.addFolder("a\nb", Path.of("/media/x"), Target.NIGHTLY, 0, "admin"))
                .isInstanceOf(InvalidTargetException.class);
        assertThatThrownBy(() -> targets.addFolder("relative", Path.of("media/x"), Target.NIGHTLY, 0, "admin"))
                .isInstanceOf(InvalidTargetException.class).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> targets.addFolder("fast", Path.of("/media/x"), Target.NIGHTLY, -1, "admin"))
                .isInstanceOf(InvalidTargetException.class).hasMessageContaining("bytes per second");
        assertThat(targets.list()).hasSize(1);
    }

    @Test
    void aTargetIsDueOnItsScheduleAndNotWhenDisabled() {
        Targets targets = targets();
        Target nightly = targets.addFolder("USB disk", Path.of("/media/usb"), new Schedule.Daily(LocalTime.of(2, 30)), 0,
                "admin");
        Target hourly = targets.addFolder("other", Path.of("/media/other"), new Schedule.EveryHours(6), 0, "admin");

        assertThat(targets.due(clock.instant())).extracting(Target::name).containsExactly("other");
        clock.advance(Duration.ofHours(15));
        assertThat(targets.due(clock.instant())).extracting(Target::name).containsExactlyInAnyOrder("USB disk", "other");

        targets.change(nightly.id(), nightly.name(), nightly.schedule(), false, 0, "admin");
        assertThat(targets.due(clock.instant())).extracting(Target::name).containsExactly("other");
        assertThat(hourly.schedule().describe()).isEqualTo("every 6 hours");
    }

    @Test
    void removingATargetForgetsItButNeverTouchesTheCopy() throws Exception {
        Targets targets = targets();
        Path copy = Files.createDirectories(dataDir.resolve("usb"));
        Files.writeString(copy.resolve("config"), "not ours to delete");
        TargetId id = targets.addFolder("USB disk", copy, Target.NIGHTLY, 0, "admin").id();

        targets.remove(id, "admin");

        assertThat(targets.list()).isEmpty();
        assertThatThrownBy(() -> targets.get(id)).isInstanceOf(TargetNotFoundException.class);
        assertThat(copy.resolve("config")).hasContent("not ours to delete");
    }
}
