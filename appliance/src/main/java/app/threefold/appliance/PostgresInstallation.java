package app.threefold.appliance;

import com.sun.security.auth.module.UnixSystem;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's binaries, unpacked under {@code DIR/runtime} by zonky, and the cluster in
 * {@code DIR/postgres}. Zonky does both in its start, which also reads and hashes its 15 MB
 * archive of binaries and asks the shell which Linux this is, every time; so zonky is used only to
 * install (the first start, and the first after a new build of Threefold), and the file
 * {@code DIR/runtime/binaries} remembers for which build the binaries were unpacked where.
 *
 * <p>The appliance runs those binaries (as root on most NAS boxes), so nobody else may be able to
 * change them: {@code DIR/runtime} belongs to the user running Threefold and is {@code rwx------},
 * which every start checks with one {@code stat}. Zonky makes its working folder writable by
 * everyone (it expects a shared temporary folder), so it unpacks into {@code DIR/runtime/unpacked},
 * out of others' reach behind {@code DIR/runtime}. A runtime folder that others could write (as
 * earlier versions left it) is not trusted: it is closed, emptied and unpacked again.
 */
final class PostgresInstallation {

    private static final Logger log = LoggerFactory.getLogger(PostgresInstallation.class);
    static final String MARKER = "binaries";
    /** Zonky's working folder inside {@code DIR/runtime}. */
    static final String UNPACKED = "unpacked";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PostgresInstallation() {
    }

    /** The folder of the {@code postgres} binary for {@code data}, installing binaries and cluster if needed. */
    static Path prepare(Path runtimeDir, Path data) throws IOException {
        Path runtime = ownerOnlyRuntime(runtimeDir);
        Path marker = runtime.resolve(MARKER);
        String build = build();
        if (Files.isRegularFile(data.resolve("PG_VERSION")) && Files.isRegularFile(marker)) {
            List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
            if (lines.size() == 2 && lines.get(0).equals(build)) {
                Path binaries = runtime.resolve(lines.get(1)).normalize();
                if (binaries.startsWith(runtime) && Files.isExecutable(binaries.resolve("postgres"))) {
                    return binaries;
                }
            }
        }
        Path binaries = install(Files.createDirectories(runtime.resolve(UNPACKED)), data);
        closeToOthers(runtime);
        Path written = runtime.resolve(MARKER + ".new");
        // Relative, so that a data directory moved elsewhere keeps using its own binaries.
        Files.writeString(written, build + "\n" + runtime.relativize(binaries) + "\n", StandardCharsets.UTF_8);
        Files.move(written, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return binaries;
    }

    /**
     * {@code DIR/runtime}, created or checked owner-only. Refuses a data directory others can
     * write (they could swap the whole runtime folder) and a runtime folder of another user;
     * a runtime folder of ours that others could write is emptied, so its binaries are unpacked
     * again rather than trusted.
     */
    private static Path ownerOnlyRuntime(Path runtimeDir) throws IOException {
        Path dataDir = runtimeDir.toAbsolutePath().getParent().toRealPath();
        Set<PosixFilePermission> dataPermissions = Files.getPosixFilePermissions(dataDir);
        if (writableByOthers(dataPermissions) && !sticky(dataDir)) {
            throw new UnsafeFolderException("The data directory " + dataDir + " is writable by other users ("
                    + PosixFilePermissions.toString(dataPermissions) + "), who could replace the PostgreSQL binaries"
                    + " Threefold runs from it; make it writable by its owner only (`chmod go-w " + dataDir
                    + "`) and start again.");
        }
        Path runtime = dataDir.resolve(runtimeDir.getFileName());
        if (!Files.exists(runtime, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(runtime, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            // The umask may have taken bits away, never added any; set exactly what is meant.
            Files.setPosixFilePermissions(runtime, OWNER_ONLY);
            return runtime;
        }
        if (Files.isSymbolicLink(runtime) || !Files.isDirectory(runtime, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeFolderException(runtime + " is not a folder; remove it (`rm -rf " + runtime
                    + "`) and start again: Threefold unpacks PostgreSQL's binaries there.");
        }
        int owner = (Integer) Files.getAttribute(runtime, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        long us = new UnixSystem().getUid();
        if (owner != us) {
            throw new UnsafeFolderException(runtime + ", the folder Threefold runs PostgreSQL's binaries from, belongs to uid "
                    + owner + ", not to the user running Threefold (uid " + us + "), who could replace them; remove it (`rm -rf "
                    + runtime + "`; Threefold unpacks the binaries again) or run Threefold as its owner.");
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(runtime, LinkOption.NOFOLLOW_LINKS);
        if (permissions.equals(OWNER_ONLY)) {
            return runtime;
        }
        // Close it first, so nothing changes inside while it is checked or emptied.
        Files.setPosixFilePermissions(runtime, OWNER_ONLY);
        if (writableByOthers(permissions) || anyReachableByOthers(runtime)) {
            log.warn("{} was writable by other users ({}), so its PostgreSQL binaries may have been replaced:"
                    + " unpacking them again, and the folder is now the owner's alone", runtime,
                    PosixFilePermissions.toString(permissions));
            emptyFolder(runtime);
        } else {
            log.info("{} is now the owner's alone (it was {})", runtime, PosixFilePermissions.toString(permissions));
        }
        return runtime;
    }

    /** Lets zonky unpack the binaries and create the cluster, and asks its server where they are. */
    private static Path install(Path runtime, Path data) throws IOException {
        log.info("Preparing the embedded PostgreSQL in {}", runtime);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                // Zonky keeps, per resolver object, where it last unpacked binaries in this JVM and
                // reuses them wherever they are; a resolver of our own makes it unpack here.
                .setPgBinaryResolver((system, architecture) ->
                        DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, architecture))
                .setOverrideWorkingDirectory(runtime.toFile())
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                // No Unix socket: its default folder, /tmp, is outside the data directory (and
                // read-only in a locked-down container); we only ever connect over TCP.
                .setServerConfig("unix_socket_directories", "")
                // Overrides the -F (no fsync) zonky always passes; see EmbeddedDatabase's settings.
                .setServerConfig("fsync", "on")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        try {
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.US_ASCII).get(0).trim());
            Path server = ProcessHandle.of(pid).flatMap(p -> p.info().command()).map(Path::of)
                    .orElseThrow(() -> new IOException("cannot tell where the PostgreSQL binaries of pid " + pid + " are"));
            Path binaries = server.getParent().toRealPath();
            if (!binaries.startsWith(runtime.toRealPath())) {
                throw new IOException("the PostgreSQL binaries were unpacked in " + binaries + ", not under " + runtime
                        + "; start again");
            }
            return binaries;
        } finally {
            postgres.close();
        }
    }

    private static boolean writableByOthers(Set<PosixFilePermission> permissions) {
        return permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE);
    }

    /** With the sticky bit (as on /tmp) others may add entries but not rename or remove ours. */
    private static boolean sticky(Path folder) throws IOException {
        return ((Integer) Files.getAttribute(folder, "unix:mode") & 01000) != 0;
    }

    /** Whether anything under {@code runtime} is not ours or is writable by others. */
    private static boolean anyReachableByOthers(Path runtime) throws IOException {
        long us = new UnixSystem().getUid();
        try (Stream<Path> all = Files.walk(runtime)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) != us
                        || !Files.isSymbolicLink(p) && writableByOthers(Files.getPosixFilePermissions(p))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Takes write permission from group and others on everything under {@code runtime} (zonky grants it). */
    private static void closeToOthers(Path runtime) throws IOException {
        try (Stream<Path> all = Files.walk(runtime)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(p);
                if (writableByOthers(permissions)) {
                    permissions.remove(PosixFilePermission.GROUP_WRITE);
                    permissions.remove(PosixFilePermission.OTHERS_WRITE);
                    Files.setPosixFilePermissions(p, permissions);
                }
            }
        }
    }

    /** Removes everything inside {@code folder} without following links out of it. */
    private static void emptyFolder(Path folder) throws IOException {
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                if (!dir.equals(folder)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
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
