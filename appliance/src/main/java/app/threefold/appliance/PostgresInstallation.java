package app.threefold.appliance;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's binaries, unpacked under {@code DIR/runtime} by zonky, and the cluster in
 * {@code DIR/postgres}. Zonky does both in its start, which also reads and hashes its 15 MB
 * archive of binaries and asks the shell which Linux this is, every time; so zonky is used only to
 * install (the first start, and the first after a new build of Threefold), and the file
 * {@code DIR/runtime/binaries} remembers for which build the binaries were unpacked where.
 */
final class PostgresInstallation {

    private static final Logger log = LoggerFactory.getLogger(PostgresInstallation.class);
    static final String MARKER = "binaries";

    private PostgresInstallation() {
    }

    /** The folder of the {@code postgres} binary for {@code data}, installing binaries and cluster if needed. */
    static Path prepare(Path runtimeDir, Path data) throws IOException {
        Path runtime = Files.createDirectories(runtimeDir).toRealPath();
        Path marker = runtime.resolve(MARKER);
        String build = build();
        if (Files.isRegularFile(data.resolve("PG_VERSION")) && Files.isRegularFile(marker)) {
            List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
            if (lines.size() == 2 && lines.get(0).equals(build)) {
                Path binaries = runtime.resolve(lines.get(1));
                if (Files.isExecutable(binaries.resolve("postgres"))) {
                    return binaries;
                }
            }
        }
        Path binaries = install(runtime, data);
        Path written = runtime.resolve(MARKER + ".new");
        // Relative, so that a data directory moved elsewhere keeps using its own binaries.
        Files.writeString(written, build + "\n" + runtime.relativize(binaries) + "\n", StandardCharsets.UTF_8);
        Files.move(written, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return binaries;
    }

    /** Lets zonky unpack the binaries and create the cluster, and asks its server where they are. */
    private static Path install(Path runtime, Path data) throws IOException {
        log.info("Preparing the embedded PostgreSQL in {}", runtime);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(runtime.toFile())
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                // Overrides the -F (no fsync) zonky always passes; see EmbeddedDatabase's settings.
                .setServerConfig("fsync", "on")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        try {
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.US_ASCII).get(0).trim());
            Path server = ProcessHandle.of(pid).flatMap(p -> p.info().command()).map(Path::of)
                    .orElseThrow(() -> new IOException("cannot tell where the PostgreSQL binaries of pid " + pid + " are"));
            return server.getParent().toRealPath();
        } finally {
            postgres.close();
        }
    }

    /**
     * This build of the binaries: the jars on the class path (their paths, sizes and times), one of
     * which holds them; a new build of Threefold may bring others.
     */
    private static String build() throws IOException {
        StringBuilder build = new StringBuilder();
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (Files.isRegularFile(jar)) {
                BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
                build.append(jar.toAbsolutePath()).append(' ').append(attributes.size()).append(' ')
                        .append(attributes.lastModifiedTime().toMillis()).append(';');
            }
        }
        return build.toString();
    }
}
