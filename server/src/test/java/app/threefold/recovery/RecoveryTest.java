package app.threefold.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.ThreefoldException;
import app.threefold.account.PasswordHasher;
import app.threefold.audit.AuditLog;
import app.threefold.backend.LocalBackend;
import app.threefold.backend.Location;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.device.Device;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.ingest.FolderSource;
import app.threefold.ingest.IngestSession;
import app.threefold.jobs.Jobs;
import app.threefold.mirror.Seed;
import app.threefold.mirror.Target;
import app.threefold.mirror.Targets;
import app.threefold.snapshot.SnapshotRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rebuilding an appliance from a folder copy of its repository, on real PostgreSQL catalogs. */
class RecoveryTest {

    static final String PASSWORD = "recovery kit password";

    @TempDir
    Path tmp;
    TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    Catalog oldCatalog;
    Catalog newCatalog;
    Jobs jobs;
    Path usb;
    List<SnapshotRow> before = new ArrayList<>();

    @BeforeEach
    void anApplianceWithALaptopOverSftpAndAFolderOfTheNasIsCopiedToAUsbDisk() throws IOException {
        oldCatalog = TestDatabase.createCatalog();
        newCatalog = TestDatabase.createCatalog();
        jobs = new Jobs(newCatalog.jdbi(), clock);
        Path old = tmp.resolve("old");
        Path laptop = files(tmp.resolve("laptop"), 1);
        Path photos = files(tmp.resolve("photos"), 2);
        try (Engine engine = Engine.create(old, PASSWORD.toCharArray(), oldCatalog, clock)) {
            sftpStyle(engine, "laptop", laptop);
            Files.writeString(laptop.resolve("notes.txt"), "changed");
            Files.delete(laptop.resolve("b.bin"));
            clock.advance(Duration.ofHours(1));
            sftpStyle(engine, "laptop", laptop);
            engine.backupFolder("photos", photos);
            before.addAll(engine.catalogSnapshots().list("laptop"));
            before.addAll(engine.catalogSnapshots().list("photos"));
        }
        usb = tmp.resolve("usb");
        try (LocalBackend from = LocalBackend.open(Engine.repositoryDir(old)); LocalBackend to = LocalBackend.create(usb)) {
            Seed.copy(from, to, p -> { });
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        jobs.close();
        oldCatalog.close();
        newCatalog.close();
    }

    /** What an SFTP session commits: the device's files at "/", by the device itself. */
    private static void sftpStyle(Engine engine, String device, Path folder) throws IOException {
        try (IngestSession session = engine.backups().begin(device)) {
            new FolderSource().ingest(folder, session);
            IngestSession.Result r = session.commit(device, device, List.of("/"), List.of());
            engine.recordSnapshot(r.snapshot(), r);
        }
    }

    private static Path files(Path dir, long seed) throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Random random = new Random(seed);
        byte[] a = new byte[300_000];
        random.nextBytes(a);
        Files.write(dir.resolve("a.bin"), a);
        byte[] b = new byte[50_000];
        random.nextBytes(b);
        Files.write(dir.resolve("b.bin"), b);
        Files.writeString(dir.resolve("notes.txt"), "first");
        Files.writeString(dir.resolve("sub/deep.txt"), "deep " + seed);
        return dir;
    }

    private Devices devices() {
        return new Devices(newCatalog.jdbi(), PasswordHasher.standard(), clock);
    }

    private Recovery recovery(Path dataDir) throws IOException {
        // The appliance made its data directory (and the catalog in it) before any recovery starts.
        Files.createDirectories(dataDir);
        Targets targets = new Targets(newCatalog.jdbi(), jobs, Optional::empty, new AuditLog(newCatalog.jdbi(), clock), dataDir,
                clock, ZoneOffset.UTC, Targets.Settings.DEFAULT);
        return new Recovery(dataDir, newCatalog, devices(), targets, clock);
    }

    @Test
    void theCatalogIsRebuiltFromTheCopyAloneAndTheCopyKeepsBeingATarget() throws IOException {
        Path fresh = tmp.resolve("new");
        List<String> phases = new ArrayList<>();

        Recovery.Outcome outcome = recovery(fresh).recover(new Location.Folder(usb), PASSWORD.toCharArray(), "admin",
                phases::add);
        outcome.engine().close();

        Recovery.Summary s = outcome.summary();
        assertThat(s.snapshots()).isEqualTo(3);
        assertThat(s.devices()).containsExactly("laptop");
        assertThat(s.folders()).containsExactly("photos");
        assertThat(phases).anyMatch(p -> p.startsWith("Copying repository")).anyMatch(p -> p.startsWith("Rebuilding the catalog"));
        // Every row as the old appliance had it, numbers included (what the dashboard and history show).
        List<SnapshotRow> after = new ArrayList<>();
        try (Engine reopened = Engine.open(fresh, newCatalog, clock)) {
            after.addAll(reopened.catalogSnapshots().list("laptop"));
            after.addAll(reopened.catalogSnapshots().list("photos"));
            assertThat(reopened.storedBytes()).isPositive();
        }
        assertThat(after).usingRecursiveFieldByFieldElementComparatorIgnoringFields("counts.bytesAdded")
                .containsExactlyElementsOf(before);
        assertThat(after.get(0).counts().filesChanged()).isEqualTo(1);
        assertThat(after.get(0).counts().filesRemoved()).isEqualTo(1);
        assertThat(after.stream().mapToLong(r -> r.counts().bytesAdded()).sum()).isPositive();
        // The device's account is back without a way in, until an admin sets one.
        Device laptop = devices().find("laptop").orElseThrow();
        assertThat(laptop.needsLogin()).isTrue();
        assertThat(devices().authenticateByPassword("laptop", new char[0])).isFalse();
        assertThat(devices().find("photos")).isEmpty();
        assertThat(s.copy().kind()).isEqualTo(Target.Kind.FOLDER);
        assertThat(s.copy().folder()).isEqualTo(usb.toAbsolutePath());
        assertThat(Files.exists(Engine.applianceKey(fresh))).isTrue();
    }

    @Test
    void aWrongPasswordIsRefusedBeforeAnythingIsCopied() throws IOException {
        Path fresh = tmp.resolve("new");
        Recovery recovery = recovery(fresh);

        assertThatThrownBy(() -> recovery.recover(new Location.Folder(usb), "not the password".toCharArray(), "admin",
                Recovery.Listener.NONE))
                .isInstanceOf(RecoveryException.class)
                .hasMessageContaining("password from the recovery kit")
                .satisfies(e -> assertThat(((ThreefoldException) e).kind()).isEqualTo(ThreefoldException.Kind.REFUSED));
        assertThat(Files.exists(Engine.repositoryDir(fresh))).isFalse();
    }

    @Test
    void aFolderThatHoldsNoRepositoryIsNamedAsSuch() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty-disk"));
        Recovery recovery = recovery(tmp.resolve("new"));

        assertThatThrownBy(() -> recovery.recover(new Location.Folder(empty), PASSWORD.toCharArray(),
                "admin", Recovery.Listener.NONE))
                .isInstanceOf(RecoveryException.class)
                .hasMessageContaining(empty + " holds no repository")
                .satisfies(e -> assertThat(((ThreefoldException) e).kind()).isEqualTo(ThreefoldException.Kind.NOT_FOUND));
    }

    @Test
    void anApplianceIsNotRecoveredOver() throws IOException {
        Path fresh = tmp.resolve("new");
        recovery(fresh).recover(new Location.Folder(usb), PASSWORD.toCharArray(), "admin", Recovery.Listener.NONE)
                .engine().close();
        Recovery again = recovery(fresh);

        assertThatThrownBy(() -> again.recover(new Location.Folder(usb), PASSWORD.toCharArray(), "admin",
                Recovery.Listener.NONE))
                .isInstanceOf(RecoveryException.class)
                .hasMessageContaining("already holds an appliance");
    }

    @Test
    void aRecoveryCutOffAfterTheCatalogWasRebuiltLeavesNoAppliance_andARerunFinishesIt() throws IOException {
        Path fresh = tmp.resolve("new");
        Recovery.Listener dies = text -> {
            if (text.startsWith("Registering")) {
                throw new IllegalStateException("the power went off");
            }
        };
        assertThatThrownBy(() -> recovery(fresh).recover(new Location.Folder(usb), PASSWORD.toCharArray(), "admin", dies))
                .hasMessage("the power went off");

        // Nothing may take the half-done directory for a set-up appliance: no snapshot list without its copy target.
        assertThat(Engine.initialised(fresh)).isFalse();
        Recovery.Outcome outcome = recovery(fresh).recover(new Location.Folder(usb), PASSWORD.toCharArray(), "admin",
                Recovery.Listener.NONE);
        outcome.engine().close();

        assertThat(outcome.summary().devices()).containsExactly("laptop");
        assertThat(outcome.summary().copy().location()).isEqualTo(usb.toAbsolutePath().toString());
        try (Engine reopened = Engine.open(fresh, newCatalog, clock)) {
            assertThat(reopened.catalogSnapshots().list("laptop")).hasSize(2);
            assertThat(reopened.catalogSnapshots().list("photos")).hasSize(1);
        }
        assertThat(Files.getPosixFilePermissions(Engine.applianceKey(fresh)))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(Files.exists(Recovery.marker(fresh))).isFalse();
    }
}
