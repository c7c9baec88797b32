package app.threefold.sshd;

import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.login.LoginThrottle;
import app.threefold.overlay.DeviceSessions;
import app.threefold.repository.ResticCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A whole SFTP appliance for tests: a fresh catalog database, a repository, the server on an
 * ephemeral loopback port, and the real OpenSSH and rclone clients to drive it.
 */
final class SftpFixture implements AutoCloseable {
    static final String RECOVERY_PASSWORD = "recovery kit password";
    final Path dataDir;
    final TestDatabase.Database database;
    final Catalog catalog;
    final Engine engine;
    final Devices devices;
    final DeviceSessions sessions;
    final SftpServer server;
    final Path home;

    SftpFixture(Path tmp, DeviceSessions.Limits limits) throws IOException {
        this.dataDir = Files.createDirectories(tmp.resolve("data"));
        this.home = Files.createDirectories(tmp.resolve("client"));
        Clock clock = Clock.systemUTC();
        database = TestDatabase.create();
        catalog = database.openCatalog();
        engine = Engine.create(dataDir, RECOVERY_PASSWORD.toCharArray(), catalog, clock);
        devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), clock);
        sessions = new DeviceSessions(engine, catalog, devices, dataDir.resolve("sftp-sessions"), clock, limits);
        server = SftpServer.start(new SftpServer.Settings("127.0.0.1", 0, dataDir), devices, sessions, new LoginThrottle(clock));
    }

    SftpFixture(Path tmp) throws IOException {
        this(tmp, DeviceSessions.Limits.DEFAULT);
    }

    /** Exit code and combined output of a client run. */
    record Run(int exit, String output) {
    }

    Run run(Map<String, String> env, String stdin, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("HOME", home.toString());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 5 minutes");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static List<String> sshOptions() {
        return List.of("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR");
    }

    List<String> sftpCommand(String device, String password, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("sshpass", "-p", password, "sftp", "-o", "BatchMode=no",
                "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no"));
        cmd.addAll(sshOptions());
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-P", String.valueOf(server.port()), "-b", "-", device + "@127.0.0.1"));
        return cmd;
    }

    /** {@code sftp -b -} with a password, through sshpass. */
    Run sftp(String device, String password, String batch, String... extra) throws IOException, InterruptedException {
        return run(Map.of(), batch, sftpCommand(device, password, extra).toArray(String[]::new));
    }

    /** {@code sftp -b -} with a key. */
    Run sftpWithKey(String device, Path key, String batch) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sftp", "-i", key.toString(), "-o", "IdentitiesOnly=yes",
                "-o", "PreferredAuthentications=publickey"));
        cmd.addAll(sshOptions());
        cmd.addAll(List.of("-P", String.valueOf(server.port()), "-b", "-", device + "@127.0.0.1"));
        return run(Map.of(), batch, cmd.toArray(String[]::new));
    }

    Run rclone(String device, String password, String... args) throws IOException, InterruptedException {
        String obscured = run(Map.of(), null, "rclone", "obscure", password).output().strip();
        Map<String, String> env = Map.of(
                "RCLONE_CONFIG", home.resolve("rclone.conf").toString(),
                "RCLONE_CONFIG_TF_TYPE", "sftp",
                "RCLONE_CONFIG_TF_HOST", "127.0.0.1",
                "RCLONE_CONFIG_TF_PORT", String.valueOf(server.port()),
                "RCLONE_CONFIG_TF_USER", device,
                "RCLONE_CONFIG_TF_PASS", obscured,
                "RCLONE_CONFIG_TF_SHELL_TYPE", "none",
                "RCLONE_CONFIG_TF_MD5SUM_COMMAND", "none",
                "RCLONE_CONFIG_TF_SHA1SUM_COMMAND", "none");
        List<String> cmd = new ArrayList<>(List.of("rclone"));
        cmd.addAll(List.of(args));
        return run(env, null, cmd.toArray(String[]::new));
    }

    Path keygen(String name) throws IOException, InterruptedException {
        Path key = home.resolve(name);
        Run r = run(Map.of(), null, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString());
        if (r.exit() != 0) {
            throw new IOException(r.output());
        }
        return key;
    }

    long snapshotCount(String device) {
        return catalog.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM snapshots WHERE device = :d")
                .bind("d", device).mapTo(Long.class).one());
    }

    /** Waits (up to a minute) until the device has {@code n} snapshots, as a session ends after the client exits. */
    void awaitSnapshots(String device, long n) throws InterruptedException {
        awaitIdle();
        if (snapshotCount(device) != n) {
            throw new AssertionError("device " + device + " has " + snapshotCount(device) + " snapshots, expected " + n);
        }
    }

    /** Waits until no session of any device is live, so that "no snapshot" can be asserted. */
    void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (sessions.liveDevices() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sessions still live after a minute");
            }
            Thread.sleep(50);
        }
    }

    ResticCli restic() {
        return new ResticCli(Engine.repositoryDir(dataDir), RECOVERY_PASSWORD);
    }

    /** SFTP v3 carries whole seconds: make a source tree's mtimes whole so that a round trip compares equal. */
    static void wholeSeconds(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Instant t = Files.getLastModifiedTime(p).toInstant();
                    Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(t.getEpochSecond())));
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sessions.close();
        engine.close();
        catalog.close();
        database.close();
    }
}
