package app.threefold.sshd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.ByteTrees;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Names are bytes: random trees of hostile names go up with OpenSSH's {@code sftp}, and plain restic
 * must restore every accepted file byte-exact under its exact name; names a file system would refuse
 * get a clear status and leave nothing behind. The seed is printed with every failure; rerun one with
 * {@code -Dnames.seed=N}.
 */
class SftpNamesPropertyTest extends LaptopSftpTest {
    private static final int ROUNDS = 3;
    private static final int ENTRIES_PER_ROUND = 150;

    /** Pieces that names are made of: each one a way names go wrong somewhere. */
    private static final byte[][] PIECES = {
            "\"".getBytes(UTF_8), "\\".getBytes(UTF_8), "\n".getBytes(UTF_8), "\r".getBytes(UTF_8), "\t".getBytes(UTF_8),
            {0x01}, {0x1b}, {0x7f}, {(byte) 0xff}, {(byte) 0xfe}, {(byte) 0xc3}, {(byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            "é".getBytes(UTF_8), "e\u0301".getBytes(UTF_8), "\u200f".getBytes(UTF_8), "\u202e".getBytes(UTF_8),
            "😀".getBytes(UTF_8), "👩‍👩‍👧".getBytes(UTF_8), "日本語".getBytes(UTF_8), "\u00a0".getBytes(UTF_8), "\ufeff".getBytes(UTF_8),
            " ".getBytes(UTF_8), "*".getBytes(UTF_8), "?".getBytes(UTF_8), "[".getBytes(UTF_8), "'".getBytes(UTF_8),
            "<&>".getBytes(UTF_8), "%41".getBytes(UTF_8), ":".getBytes(UTF_8), "~".getBytes(UTF_8), "-".getBytes(UTF_8),
            "a".getBytes(UTF_8), "Z".getBytes(UTF_8), "0".getBytes(UTF_8), ".".getBytes(UTF_8), "name".getBytes(UTF_8),
    };

    @Test
    void hostileNamesAreKeptByteExactOrRefusedAndResticAgrees() throws Exception {
        long seed = Long.getLong("names.seed", new Random().nextLong());
        Random random = new Random(seed);
        Map<String, String> expected = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            Map<List<byte[]>, byte[]> entries = tree(random, "round-" + round);
            Path local = tmp.resolve("up-" + round);
            ByteTrees.write(local, entries);
            SftpFixture.Run put = f.sftp("laptop", PW, "put -r " + local + " /\n");
            assertThat(put.exit()).as("seed %d: %s", seed, put.output()).isZero();
            f.awaitSnapshots("laptop", round + 1);
            Map<List<byte[]>, byte[]> under = new LinkedHashMap<>();
            for (var e : entries.entrySet()) {
                List<byte[]> full = new ArrayList<>();
                full.add(("up-" + round).getBytes(UTF_8));
                full.addAll(e.getKey());
                under.put(full, e.getValue());
            }
            expected.putAll(ByteTrees.manifest(under));
        }

        assertThat(f.restic().ok("check", "--read-data")).as("seed %d", seed).contains("no errors were found");
        Path restored = tmp.resolve("restored");
        f.restic().ok("restore", "latest", "--target", restored.toString());
        Map<String, String> got = ByteTrees.read(restored);
        assertThat(got).as("seed %d: every accepted name and content restored exactly, and nothing else", seed)
                .isEqualTo(expected);

        // Read back over SFTP as a device would, by both clients: the last round's folder, name for name.
        String last = "up-" + (ROUNDS - 1);
        Map<String, String> lastRound = new java.util.TreeMap<>();
        String prefix = java.util.HexFormat.of().formatHex((last + "/").getBytes(UTF_8));
        expected.forEach((path, digest) -> {
            if (path.startsWith(prefix)) {
                lastRound.put(path.substring(prefix.length()), digest);
            }
        });
        Path byOpenSsh = tmp.resolve("down-openssh");
        SftpFixture.Run get = f.sftp("laptop", PW, "get -r /" + last + " " + byOpenSsh + "\n");
        assertThat(get.exit()).as("seed %d: %s", seed, get.output()).isZero();
        assertThat(ByteTrees.read(byOpenSsh)).as("seed %d: OpenSSH sftp get -r", seed).isEqualTo(lastRound);
        Path byRclone = tmp.resolve("down-rclone");
        SftpFixture.Run copy = f.rclone("laptop", PW, "copy", "--create-empty-src-dirs",
                // rclone matches names after NFC normalization unless told not to, which copies only one
                // of "café" (NFC) and "café" (NFD); the server lists both.
                "--no-unicode-normalization", "tf:/" + last, byRclone.toString());
        assertThat(copy.exit()).as("seed %d: %s", seed, copy.output()).isZero();
        assertThat(ByteTrees.read(byRclone)).as("seed %d: rclone copy", seed).isEqualTo(lastRound);

        // Names a file system refuses get the status a file system gives and leave nothing behind.
        Path small = tmp.resolve("small.txt");
        Files.writeString(small, "x");
        StringBuilder batch = new StringBuilder("mkdir /refused\n");
        List<String> tooLong = List.of("a".repeat(256), "é".repeat(128), "é".repeat(255), "😀".repeat(64));
        for (String name : tooLong) {
            batch.append("-put ").append(small).append(" \"/refused/").append(name).append("\"\n");
            batch.append("-mkdir \"/refused/").append(name).append("d\"\n");
        }
        batch.append("-put ").append(small).append(" \"/refused/").append("b".repeat(255)).append("\"\n");
        batch.append("ls -1 /refused\n");
        SftpFixture.Run refused = f.sftp("laptop", PW, batch.toString());
        // OpenSSH's sftp prints one error line per refusal: the status (SFTP v3 has none for "name too
        // long"), not the server's message.
        assertThat(refused.output().lines().filter(l -> l.startsWith("dest open \"/refused/") || l.startsWith("remote mkdir \"/refused/")))
                .as(refused.output()).hasSize(tooLong.size() * 2);
        f.awaitSnapshots("laptop", ROUNDS + 1);
        Path again = tmp.resolve("again");
        f.restic().ok("restore", "latest", "--target", again.toString(), "--include", "/refused");
        try (var list = Files.list(again.resolve("refused"))) {
            assertThat(list.map(p -> p.getFileName().toString()).toList()).containsExactly("b".repeat(255));
        }
    }

    /** A random tree: folders and files whose names are drawn from {@link #PIECES}, 1 to 255 bytes. */
    private static Map<List<byte[]>, byte[]> tree(Random random, String top) {
        Map<List<byte[]>, byte[]> entries = new LinkedHashMap<>();
        List<List<byte[]>> folders = new ArrayList<>();
        folders.add(List.of(top.getBytes(UTF_8)));
        entries.put(folders.get(0), null);
        Set<String> taken = new HashSet<>();
        // Pairs that a lossy layer would merge: raw bytes that differ, and NFC beside NFD.
        for (byte[][] pair : new byte[][][] {{{'c', 'o', 'l', (byte) 0xff}, {'c', 'o', 'l', (byte) 0xfe}},
                {"caf\u00e9".getBytes(UTF_8), "cafe\u0301".getBytes(UTF_8)}}) {
            for (byte[] name : pair) {
                entries.put(List.of(folders.get(0).get(0), name), name);
                taken.add(key(folders.get(0)) + "/" + java.util.HexFormat.of().formatHex(name));
            }
        }
        int pathBudget = 3000; // below PATH_MAX with room for the restore target's own path
        while (entries.size() < ENTRIES_PER_ROUND) {
            List<byte[]> parent = folders.get(random.nextInt(folders.size()));
            byte[] name = name(random);
            String k = key(parent) + "/" + java.util.HexFormat.of().formatHex(name);
            int length = ByteTrees.join(parent).length + 1 + name.length;
            if (taken.contains(k) || length > pathBudget) {
                continue;
            }
            taken.add(k);
            List<byte[]> path = new ArrayList<>(parent);
            path.add(name);
            if (random.nextInt(4) == 0) {
                entries.put(path, null);
                folders.add(path);
            } else {
                byte[] content = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(2000)];
                random.nextBytes(content);
                entries.put(path, content);
            }
        }
        return entries;
    }

    private static byte[] name(Random random) {
        int max = random.nextInt(10) == 0 ? 255 : 1 + random.nextInt(40);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < max) {
            byte[] piece = PIECES[random.nextInt(PIECES.length)];
            if (out.size() + piece.length > max) {
                break;
            }
            out.writeBytes(piece);
        }
        byte[] name = out.size() == 0 ? "x".getBytes(UTF_8) : out.toByteArray();
        String s = new String(name, java.nio.charset.StandardCharsets.ISO_8859_1);
        return s.equals(".") || s.equals("..") ? "dots".getBytes(UTF_8) : name;
    }

    private static String key(List<byte[]> path) {
        return java.util.HexFormat.of().formatHex(ByteTrees.join(path));
    }
}
