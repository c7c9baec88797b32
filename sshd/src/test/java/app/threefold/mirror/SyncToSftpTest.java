package app.threefold.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.audit.AuditLog;
import app.threefold.backend.HostKeyMismatchException;
import app.threefold.backend.SftpSettings;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.engine.Engine;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import app.threefold.sshd.client.FolderSftpServer;
import app.threefold.sshd.client.MinaSftpBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Syncs to an SFTP server (a MINA SSHD server serving a plain folder, the stand-in for a friend's
 * NAS), judged by plain restic over OpenSSH's ssh and by a restore test reading the copy.
 */
@ExtendWith(TestDatabase.class)
class SyncToSftpTest {
    static final String RECOVERY = "recovery password 123";
    static final Clock CLOCK = Clock.systemUTC();

    @TempDir
    Path tmp;
    FolderSftpServer server;
    Engine engine;
    Jobs jobs;
    Targets targets;
    Path files;
    Catalog catalog;

    @BeforeEach
    void applianceWithABackupAndAFriendsServer(Catalog catalog) throws Exception {
        this.catalog = catalog;
        server = new FolderSftpServer(tmp.resolve("friend"));
        files = TestTrees.awkward(tmp.resolve("files"), 16);
        TestTrees.write(files.resolve("videos/clip.bin"), TestTrees.bytes(new Random(16), 40 << 20));
        engine = Engine.create(tmp.resolve("data"), RECOVERY.toCharArray(), catalog, CLOCK);
        engine.backupFolder("laptop", files);
        jobs = new Jobs(catalog.jdbi(), CLOCK);
        targets = new Targets(catalog.jdbi(), jobs, () -> Optional.of(engine.repository().backend()),
                new AuditLog(catalog.jdbi(), CLOCK), tmp.resolve("data"), CLOCK, ZoneOffset.UTC,
                new Targets.Settings(3, new Retry(5, Duration.ofMillis(50), Duration.ofMillis(400)), Duration.ofDays(7)),
                new MinaSftpBackends());
    }

    @AfterEach
    void stop() throws Exception {
        jobs.close();
        engine.close();
        server.close();
    }

    private ResticCli restic(String folder) throws Exception {
        return new ResticCli("sftp:" + FolderSftpServer.USER + "@127.0.0.1:" + folder, RECOVERY, Map.of());
    }

    private String[] resticArgs(String... args) throws Exception {
        return Stream.concat(Stream.of("-o", "sftp.command=" + server.resticSftpCommand(tmp)), Stream.of(args))
                .toArray(String[]::new);
    }

    @Test
    void aCopyOnAFriendsSftpServerPassesResticCheckRestoresByteIdenticalAndPassesARestoreTest() throws Exception {
        Target target = targets.addSftp("Sam's NAS", server.settings("copy"), true, Target.NIGHTLY, 0, "admin");

        SyncResult first = targets.syncNow(target.id(), false, "admin", null, p -> { });

        assertThat(first.objectsSent()).isGreaterThan(5);
        assertThat(targets.get(target.id()).offSite()).isTrue();
        assertThat(targets.get(target.id()).location()).isEqualTo("sftp://" + FolderSftpServer.USER + "@127.0.0.1:"
                + server.port() + "/copy");
        assertThat(restic("copy").ok(resticArgs("check", "--read-data"))).contains("no errors were found");
        Path restored = tmp.resolve("restored");
        restic("copy").ok(resticArgs("restore", "latest", "--target", restored.toString()));
        TestTrees.assertSameTree(files, restored);
        try (Stream<Path> left = Files.walk(server.root)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("-tmp-"));
        }
        assertThat(targets.syncNow(target.id(), false, "admin", null, p -> { }).objectsSent()).isZero();

        RestoreProofs proofs = new RestoreProofs(jobs, () -> Optional.of(engine), new AuditLog(catalog.jdbi(), CLOCK),
                CLOCK, targets.copies());
        Job proof = awaitEnd(proofs.start("laptop", target.id().toString(), "admin"));
        assertThat(proof.state()).as(String.valueOf(proof.error())).isEqualTo(Job.State.SUCCEEDED);
        assertThat(proof.result()).containsEntry("verdict", "passed")
                .containsEntry("location", targets.get(target.id()).location());
    }

    @Test
    void aServerShowingAnotherHostKeyIsRefusedAndNothingIsWrittenThere() throws Exception {
        SftpSettings pinnedElsewhere = new SftpSettings(FolderSftpServer.USER, "127.0.0.1", server.port(), "copy",
                "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", server.keyFile, null);
        Target target = targets.addSftp("Sam's NAS", pinnedElsewhere, true, Target.NIGHTLY, 0, "admin");

        assertThatThrownBy(() -> targets.syncNow(target.id(), false, "admin", null, p -> { }))
                .isInstanceOf(HostKeyMismatchException.class)
                .hasMessageContaining(server.hostKey).hasMessageContaining("nothing was sent");

        try (Stream<Path> there = Files.list(server.root)) {
            assertThat(there).isEmpty();
        }
        Target after = targets.get(target.id());
        assertThat(after.lastSync().state()).isEqualTo(Target.LastSync.State.FAILED);
        assertThat(after.lastSync().error()).contains("presented host key " + server.hostKey);
        assertThat(after.lastGoodSync()).isNull();
    }

    @Test
    void aConnectionDroppedInTheMiddleOfASyncIsMadeAgainAndTheSyncEndsWithACompleteCopy() throws Exception {
        Target target = targets.addSftp("Sam's NAS", server.settings("copy"), true, Target.NIGHTLY, 0, "admin");
        server.dropConnectionsAfterRenames(4);

        SyncResult result = targets.syncNow(target.id(), false, "admin", null, p -> { });

        assertThat(server.dropped()).as("the connection was cut during the sync").isPositive();
        assertThat(targets.get(target.id()).lastSync().state()).isEqualTo(Target.LastSync.State.SUCCEEDED);
        assertThat(result.objectsSent() + result.alreadyThere()).isGreaterThan(5);
        assertThat(restic("copy").ok(resticArgs("check", "--read-data"))).contains("no errors were found");
        assertThat(targets.syncNow(target.id(), true, "admin", null, p -> { }).objectsSent())
                .as("a full listing finds nothing missing").isZero();
    }

    private Job awaitEnd(Job job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            Job now = jobs.find(job.id()).orElseThrow();
            if (now.state() == Job.State.SUCCEEDED || now.state() == Job.State.FAILED) {
                return now;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + job.id() + " did not end in 3 minutes");
    }
}
