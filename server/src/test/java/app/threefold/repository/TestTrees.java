package app.threefold.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Source trees for tests, and a comparison of two trees as a person would check a restore. */
public final class TestTrees {
    private TestTrees() {
    }

    /**
     * A tree with what trips backup tools: spaces, unicode, a 255-byte name, an HTML-ish name,
     * empty files and folders, a symlink, modes, and a file above 8 MiB of mixed content.
     */
    public static Path awkward(Path root, long seed) throws IOException {
        Random random = new Random(seed);
        Files.createDirectories(root);
        write(root.resolve("with space.txt"), "hello, world\n".repeat(100).getBytes(StandardCharsets.UTF_8));
        write(root.resolve("ünïcødé – файл 日本.txt"), "unicode\n".getBytes(StandardCharsets.UTF_8));
        write(root.resolve("a".repeat(251) + ".txt"), bytes(random, 1000));
        write(root.resolve("<img src=x onerror=alert(1)>.txt"), "html\n".getBytes(StandardCharsets.UTF_8));
        write(root.resolve("empty"), new byte[0]);
        Files.createDirectories(root.resolve("empty folder"));
        Path docs = Files.createDirectories(root.resolve("docs/deeper/deepest"));
        write(docs.resolve("notes.md"), "# notes\n".repeat(5000).getBytes(StandardCharsets.UTF_8));
        byte[] big = new byte[9 * 1024 * 1024 + 12345];
        random.nextBytes(big);
        // Half of it compressible text, so both blob kinds (zstd and plain) occur.
        byte[] text = "the quick brown fox jumps over the lazy dog ".repeat(120_000).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, big, 0, Math.min(text.length, big.length / 2));
        write(root.resolve("docs/big.bin"), big);
        Path script = root.resolve("run.sh");
        write(script, "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setPosixFilePermissions(root.resolve("with space.txt"), PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(root.resolve("link to notes"), Path.of("docs/deeper/deepest/notes.md"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("nowhere/at/all"));
        return root;
    }

    /**
     * Damages a repository as a failing disk would: inverts the byte at {@code offset} of its
     * largest pack. Returns the pack.
     */
    public static Path flipByteInLargestPack(Path repository, long offset) throws IOException {
        Path pack;
        try (Stream<Path> packs = Files.walk(repository.resolve("data"))) {
            pack = packs.filter(Files::isRegularFile)
                    .max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        pack.toFile().setWritable(true);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(pack.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(~b);
        }
        return pack;
    }

    public static void write(Path file, byte[] data) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, data);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-05-06T07:08:09.123456789Z")));
    }

    public static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /**
     * Asserts that two trees hold the same names, types, file bytes, link targets, permissions
     * and file mtimes (to the millisecond, which every file system here keeps).
     */
    public static void assertSameTree(Path expected, Path actual) throws IOException {
        TreeMap<String, String> a = describe(expected);
        TreeMap<String, String> b = describe(actual);
        assertThat(b).isEqualTo(a);
    }

    private static TreeMap<String, String> describe(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "dir " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                } else {
                    byte[] data = Files.readAllBytes(p);
                    out.put(rel, "file " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                            + " " + data.length + " " + Arrays.hashCode(data) + " "
                            + Files.getLastModifiedTime(p).toMillis());
                }
            }
        }
        return out;
    }
}
