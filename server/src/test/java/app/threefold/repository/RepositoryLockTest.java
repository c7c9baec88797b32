package app.threefold.repository;

import app.threefold.clock.TestClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.backend.FileType;
import app.threefold.backend.LocalBackend;
import app.threefold.crypto.KeyFile;
import app.threefold.format.Id;
import app.threefold.index.MemoryIndex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lock files as restic judges them: dead ones go, live ones (ours refreshed) stay. */
class RepositoryLockTest {
    private static final String PASSWORD = "lock test password";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path dir;
    Repository repo;
    ResticCli restic;
    Process resticHolding;

    @BeforeEach
    void setUp() throws Exception {
        dir = tmp.resolve("repo");
        repo = Repository.create(LocalBackend.create(dir), PASSWORD.toCharArray(), new KeyFile.Params(1024, 8, 1),
                new MemoryIndex(), new SecureRandom(), Clock.systemUTC());
        restic = new ResticCli(dir, PASSWORD);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (resticHolding != null && resticHolding.isAlive()) {
            resticHolding.destroyForcibly().waitFor();
        }
    }

    /** A {@code restic backup} that reads its stdin and so holds its lock until the test lets it go. */
    private Process resticHoldingALock() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("restic", "--no-cache", "-r", dir.toString(), "backup", "--stdin",
                "--stdin-filename", "held.txt").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("RESTIC_PASSWORD", PASSWORD);
        resticHolding = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // Listed is not yet written: a lock file killed half-written is no lock restic or we would read.
        while (lockFiles().isEmpty() || !readable(lockFiles().get(0))) {
            assertThat(resticHolding.isAlive()).as("restic backup --stdin runs").isTrue();
            assertThat(System.nanoTime()).as("restic wrote its lock").isLessThan(deadline);
            Thread.sleep(20);
        }
        return resticHolding;
    }

    private boolean readable(Path lock) {
        try {
            return lockJson(lock).has("pid");
        } catch (Exception e) {
            return false;
        }
    }

    private List<Path> lockFiles() throws Exception {
        try (var files = Files.list(dir.resolve("locks"))) {
            return files.toList();
        }
    }

    private JsonNode lockJson(Path file) throws Exception {
        return JSON.readTree(repo.loadUnpacked(FileType.LOCK, Id.parse(file.getFileName().toString())));
    }

    private void writeLock(Instant time, String hostname, long pid, boolean byThreefold) throws Exception {
        var o = JSON.createObjectNode();
        o.put("time", OffsetDateTime.ofInstant(time, ZoneOffset.UTC).toString());
        o.put("exclusive", false);
        o.put("hostname", hostname);
        o.put("username", "someone");
        o.put("pid", pid);
        o.put("uid", 1000);
        o.put("gid", 1000);
        if (byThreefold) {
            o.put(RepositoryLock.WRITTEN_BY_THREEFOLD, true);
        }
        repo.saveUnpacked(FileType.LOCK, JSON.writeValueAsBytes(o));
    }

    @Test
    void theLockOfAResticKilledOnThisHostIsRemovedAndResticChecksAgain() throws Exception {
        Process holder = resticHoldingALock();
        holder.destroyForcibly().waitFor();
        assertThat(lockFiles()).hasSize(1);

        assertThat(RepositoryLock.removeDead(repo, Clock.systemUTC())).isEqualTo(1);

        assertThat(lockFiles()).isEmpty();
        restic.ok("check");
    }

    @Test
    void aLiveResticLockAndLocksOfOtherProgramsOnOtherHostsAreKeptHoweverOld() throws Exception {
        resticHoldingALock();
        writeLock(Instant.now().minus(Duration.ofHours(2)), "the-laptop", 4242, false);

        assertThat(RepositoryLock.removeDead(repo, Clock.systemUTC())).isZero();

        assertThat(lockFiles()).hasSize(2);
        try (RepositoryLock shared = RepositoryLock.acquire(repo, false, Clock.systemUTC())) {
            shared.ensureHeld();
        }
        assertThatThrownBy(() -> RepositoryLock.acquire(repo, true, Clock.systemUTC()))
                .isInstanceOf(RepositoryException.class)
                .hasMessageContaining("pid " + resticHolding.pid());
        resticHolding.getOutputStream().write("held\n".getBytes(StandardCharsets.UTF_8));
        resticHolding.getOutputStream().close();
        assertThat(resticHolding.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(resticHolding.exitValue()).isZero();
    }

    @Test
    void aLockWrittenBeforeTheProcessNowHoldingItsPidStartedIsRemoved() throws Exception {
        // As in a container, where the appliance is pid 1 at every start: this JVM's pid, an earlier run's lock.
        Instant started = ProcessHandle.current().info().startInstant().orElseThrow();
        writeLock(started.minus(Duration.ofMinutes(10)), RepositoryLock.hostname(), ProcessHandle.current().pid(), true);

        assertThat(RepositoryLock.removeDead(repo, Clock.systemUTC())).isEqualTo(1);
        assertThat(lockFiles()).isEmpty();
    }

    @Test
    void aThreefoldLockFromAnotherHostIsRemovedOnceNotRefreshedFor30Minutes() throws Exception {
        Instant now = Instant.now();
        writeLock(now.minus(Duration.ofMinutes(31)), "container-before-it-was-recreated", 1, true);
        writeLock(now.minus(Duration.ofMinutes(10)), "another-appliance", 1, true);

        assertThat(RepositoryLock.removeDead(repo, Clock.systemUTC())).isEqualTo(1);

        assertThat(lockFiles()).singleElement().satisfies(f -> assertThat(lockJson(f).path("hostname").asText())
                .isEqualTo("another-appliance"));
    }

    @Test
    void aLongRunningHolderRewritesItsLockSoOthersAlwaysSeeItLive() throws Exception {
        TestClock clock = new TestClock(Instant.now());
        RepositoryLock lock = RepositoryLock.acquire(repo, false, clock,
                new RepositoryLock.Timing(Duration.ofMinutes(5), Duration.ofMillis(10)));
        // Another process's view: its own Repository object holds none of these locks.
        Repository elsewhere = Repository.open(LocalBackend.open(dir), PASSWORD.toCharArray(), new MemoryIndex(),
                new SecureRandom());

        for (int i = 0; i < 9; i++) {
            Path before = lockFiles().getFirst();
            clock.advance(Duration.ofMinutes(5));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // Rewritten: a new file, then the old one removed.
            for (List<Path> now = lockFiles(); now.size() != 1 || now.contains(before); now = lockFiles()) {
                assertThat(System.nanoTime()).as("refreshed after 5 minutes").isLessThan(deadline);
                Thread.sleep(5);
            }
        }

        assertThat(lockFiles()).singleElement().satisfies(f -> assertThat(
                OffsetDateTime.parse(lockJson(f).path("time").asText()).toInstant())
                .isAfterOrEqualTo(clock.instant().minus(Duration.ofMinutes(5))));
        lock.ensureHeld();
        assertThat(RepositoryLock.removeDead(elsewhere, clock)).isZero();
        assertThatThrownBy(() -> RepositoryLock.acquire(elsewhere, true, clock))
                .isInstanceOf(RepositoryException.class)
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        assertThat(restic.ok("list", "locks", "--no-lock").strip().lines()).hasSize(1);

        lock.close();
        assertThat(lockFiles()).isEmpty();
    }

    @Test
    void releasingAllLocksAtShutdownLeavesNoneAndWorkStillRunningCannotSnapshot() throws Exception {
        RepositoryLock first = RepositoryLock.acquire(repo, false, Clock.systemUTC());
        RepositoryLock second = RepositoryLock.acquire(repo, false, Clock.systemUTC());

        assertThat(RepositoryLock.releaseAll(repo)).isEqualTo(2);

        assertThat(lockFiles()).isEmpty();
        assertThatThrownBy(first::ensureHeld).isInstanceOf(RepositoryException.class).hasMessageContaining("released");
        second.close();
        restic.ok("check");
    }

}
