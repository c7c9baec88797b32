package app.threefold.appliance;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL the appliance runs itself: binaries unpacked under {@code DIR/runtime} (see
 * {@link PostgresInstallation}), data in {@code DIR/postgres} (kept across restarts), listening on
 * 127.0.0.1 only, stopped by {@link #close()} rather than by a JVM hook so that the appliance
 * decides the shutdown order.
 *
 * <p>The server is this process's child rather than started through {@code pg_ctl}, whose start
 * and stop (as zonky drives them) poll in 0.1 s steps: waiting on the child itself takes about
 * 0.25 s off every command that opens the catalog.
 */
final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
    static final String DATA = "postgres";
    static final String DATABASE = "threefold";
    /** In {@code DIR/logs}: what the server printed since it was last started. */
    static final String SERVER_LOG = "postgres.log";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);
    /**
     * The settings zonky's start used, except its {@code -F}: without fsync a power cut can leave
     * the catalog unreadable, and with it the benchmark's backups took no measurably longer.
     * {@code synchronous_commit=off} may lose the last commits in a crash, never consistency.
     * No Unix socket: we connect over TCP, and its folder (/tmp) lies outside the data directory.
     */
    private static final List<String> SETTINGS = List.of("-c", "synchronous_commit=off", "-c", "max_connections=300",
            "-c", "timezone=UTC", "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=");

    private final Process server;
    private final int port;

    private EmbeddedDatabase(Process server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts PostgreSQL on {@code DIR/postgres}, creating the cluster and the database on first use. */
    static EmbeddedDatabase start(Path dataDir) {
        Path data = dataDir.resolve(DATA);
        Path serverLog = dataDir.resolve("logs").resolve(SERVER_LOG);
        try {
            stopOrphanedServer(data);
            Path binaries = PostgresInstallation.prepare(dataDir.resolve("runtime"), data);
            // Zonky's stop after a first install gives up after a few seconds without saying so.
            stopOrphanedServer(data);
            log.info("Starting embedded PostgreSQL with data in {}", data);
            Files.createDirectories(serverLog.getParent());
            int port = freePort();
            List<String> command = new ArrayList<>();
            // Its own session, as pg_ctl would give it: Ctrl-C on `serve` must reach the JVM only,
            // whose shutdown hook stops the server last.
            command.add("setsid");
            command.addAll(asNonRoot());
            command.addAll(List.of(binaries.resolve("postgres").toString(), "-D", data.toString(), "-p", Integer.toString(port)));
            command.addAll(SETTINGS);
            Process server = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(serverLog.toFile()))
                    .start();
            EmbeddedDatabase database = new EmbeddedDatabase(server, port);
            try {
                database.awaitConnections(data, serverLog);
                database.createDatabaseIfMissing();
            } catch (IOException | RuntimeException e) {
                try {
                    database.close();
                } catch (RuntimeException stopping) {
                    e.addSuppressed(stopping);
                }
                throw e;
            }
            log.info("Embedded PostgreSQL is up on 127.0.0.1:{}", port);
            return database;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the embedded PostgreSQL in " + data
                    + "; check free disk space and permissions, and " + serverLog + " if present", e);
        }
    }

    /**
     * PostgreSQL refuses to run as root: zonky's way around that, kept here, is a user namespace
     * of its own, in which the process (and the data directory's owner) is not root.
     */
    private static List<String> asNonRoot() {
        return new UnixSystem().getUid() == 0 ? List.of("unshare", "-U") : List.of();
    }

    /** JDBC URL of the appliance's database on this server. */
    String jdbcUrl() {
        return urlOf(DATABASE);
    }

    private String urlOf(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /**
     * Waits until the server accepts a connection; it is ready a few tens of milliseconds after it
     * starts. The port was free a moment before, so whoever answers is asked for its data folder:
     * another PostgreSQL that took the port meanwhile must not receive the catalog.
     */
    private void awaitConnections(Path data, Path serverLog) throws IOException {
        long deadline = System.nanoTime() + STARTUP_WAIT.toNanos();
        while (true) {
            try (Connection connection = DriverManager.getConnection(urlOf("postgres"));
                 Statement statement = connection.createStatement();
                 var answer = statement.executeQuery("SHOW data_directory")) {
                String serving = answer.next() ? answer.getString(1) : "";
                if (!server.isAlive() || !Path.of(serving).toRealPath().equals(data.toRealPath())) {
                    throw new IOException("port " + port + " was taken by another PostgreSQL (serving " + serving
                            + ") before ours could listen on it; start again");
                }
                return;
            } catch (SQLException notYet) {
                if (!server.isAlive()) {
                    throw new IOException("PostgreSQL exited with status " + server.exitValue() + " while starting; "
                            + serverLog + " says why");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("PostgreSQL did not accept connections within " + STARTUP_WAIT.toSeconds() + " s", notYet);
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for PostgreSQL to start", e);
            }
        }
    }

    private void createDatabaseIfMissing() {
        try (Connection connection = DriverManager.getConnection(urlOf("postgres"));
             Statement statement = connection.createStatement()) {
            var result = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!result.next()) {
                statement.execute("CREATE DATABASE " + DATABASE);
                log.info("Created database {}", DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create the database '" + DATABASE + "' in the embedded PostgreSQL", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * A process killed with SIGKILL leaves its PostgreSQL running. We hold the instance lock, so a
     * live postmaster on our data directory is such an orphan: ask it to stop.
     */
    private static void stopOrphanedServer(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        Optional<ProcessHandle> orphan = lines.isEmpty() ? Optional.empty()
                : parsePid(lines.get(0)).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (orphan.isEmpty()) {
            return;
        }
        log.warn("Stopping PostgreSQL (pid {}) left running by a Threefold process that did not shut down",
                orphan.get().pid());
        orphan.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown
        try {
            orphan.get().onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("PostgreSQL pid " + orphan.get().pid() + " on " + data
                    + " did not stop; stop it by hand and start again", e);
        }
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Stops PostgreSQL and waits for it to exit. SIGTERM is PostgreSQL's smart shutdown: it waits
     * for open sessions, and the catalog's are closed by then; data is flushed. Should it not
     * stop in time it is killed, and recovers from its log at the next start.
     */
    @Override
    public void close() {
        try {
            server.destroy();
            if (!server.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("PostgreSQL did not stop within {} s; killing it (it recovers from its log at the next start)",
                        STOP_WAIT.toSeconds());
                server.destroyForcibly().waitFor();
            }
            log.info("Embedded PostgreSQL stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the embedded PostgreSQL", e);
        }
    }
}
