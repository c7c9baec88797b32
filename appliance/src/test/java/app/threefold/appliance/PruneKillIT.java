package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code threefold prune} in a process of its own, killed with SIGKILL inside its run 32
 * times, each time after new backups and forgets, at a different point (after its Nth progress line, N going
 * round the whole run, or at a random moment of it): each time restic's check passes on what it
 * left, a following prune completes, and the repository is then clean (check --read-data, nothing
 * left to prune, every kept snapshot restores byte for byte).
 */
class PruneKillIT {
    private static final String RECOVERY = "repository secret";
    /** Kills that must land inside the prune (after its first progress line, before its end). */
    private static final int MIDWAY = 32;
    private static final int MAX_KILLS = 60;
    private final Path jar = Path.of(System.getProperty("threefold.jar", "target/threefold.jar"));
    private final String javaCommand = ProcessHandle.current().info().command().orElse("java");

    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {
    }

    private static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aPruneKilledAnywhereLeavesARepositoryResticAcceptsAndTheNextPruneFinishesTheJob() throws Exception {
        Path data = tmp.resolve("data");
        Path passwordFile = tmp.resolve("repo-password");
        Files.writeString(passwordFile, RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), "correct horse battery\n");
        Run init = main("init", "--data-dir", data.toString(), "--password-file", passwordFile.toString(),
                "--admin-user", "admin", "--admin-password-file", tmp.resolve("admin-password").toString());
        assertThat(init.status()).as(init.err()).isZero();
        ResticCli restic = new ResticCli(data.resolve("repository"), RECOVERY);
        Random random = new Random(15);
        Path src = tmp.resolve("src");
        // Each kept snapshot (by its short id) and a copy of the folder it was taken of.
        Map<String, Path> expected = new TreeMap<>();
        int backups = 0;
        int lines = 8;
        // The longest a prune's work in a process of its own was seen to run (first progress line to
        // last, finished or not): random kills land within it (the CLI prune in this JVM is no guide:
        // it starts PostgreSQL first). It grows as kills land later, up to a whole run.
        long longest = 200;
        int killedMidway = 0;
        List<String> kills = new ArrayList<>();
        for (int k = 0; killedMidway < MIDWAY && k < MAX_KILLS; k++) {
            // New work for a prune: backups of a changing folder, and the oldest snapshots forgotten.
            for (int b = 0; b < (k == 0 ? 6 : 2); b++) {
                backups++;
                for (int i = 0; i < 3; i++) {
                    Path f = src.resolve("f" + random.nextInt(8) + ".bin");
                    TestTrees.write(f, TestTrees.bytes(random, 50_000 + random.nextInt(250_000)));
                    Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_000_000L + backups * 1000L));
                }
                Run backup = main("backup", "--data-dir", data.toString(), "--device", "laptop", src.toString());
                assertThat(backup.status()).as(backup.err()).isZero();
                String id = backup.out().replaceAll("(?s).*Snapshot ([0-9a-f]+) of laptop saved.*", "$1");
                copyTree(src, tmp.resolve("expected").resolve(id));
                expected.put(id, tmp.resolve("expected").resolve(id));
            }
            List<String> files;
            try (Stream<Path> s = Files.list(data.resolve("repository/snapshots"))) {
                files = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            List<String> forget = new ArrayList<>(expected.keySet());
            Collections.shuffle(forget, random);
            for (String id : forget.subList(0, Math.max(0, forget.size() - 4))) {
                String file = files.stream().filter(f -> f.startsWith(id)).findFirst().orElseThrow();
                Files.delete(data.resolve("repository/snapshots").resolve(file));
                expected.remove(id);
            }

            // Even: after the Nth progress line, N going round the whole run; odd: at a random moment of it.
            boolean byLine = k % 2 == 0;
            int afterLine = 1 + (k / 2) % lines;
            long moment = byLine ? 0 : 1 + random.nextInt((int) Math.min(longest, 60_000));
            Output out = byLine ? runPrune(data, afterLine, 0) : runPrune(data, Integer.MAX_VALUE, moment);
            longest = Math.max(longest, out.millis());
            if (out.killedMidway()) {
                killedMidway++;
            }
            kills.add(String.format("%d: %s, exit %d, %d progress line(s) over %d ms", k,
                    byLine ? "after line " + afterLine : moment + " ms after line 1", out.exit(), out.progressLines(), out.millis()));
            System.out.println("prune kill " + kills.getLast());
            // The killed prune's lock names a process that is gone: restic unlock removes it, as a person would.
            restic.ok("unlock");
            ResticCli.Run check = restic.run("check");
            assertThat(check.exitCode()).as("kill %d after:\n%s\nrestic check:\n%s", k, String.join("\n", out.lines()), check.output())
                    .isZero();

            Run finish = main("prune", "--data-dir", data.toString());
            assertThat(finish.status()).as("kill %d: %s", k, finish.err()).isZero();
            lines = Math.max(4, (int) finish.out().lines().filter(l -> l.startsWith("[")).count());
            Run again = main("prune", "--data-dir", data.toString(), "--dry-run");
            assertThat(again.out()).as("kill %d: the prune after the kill finished the job", k)
                    .contains("would remove 0 unused pack(s), repack 0 and remove 0");
            assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
            if (k % 6 == 5 || killedMidway == MIDWAY) {
                for (Map.Entry<String, Path> e : expected.entrySet()) {
                    Path target = tmp.resolve("restored-" + k).resolve(e.getKey());
                    restic.ok("restore", e.getKey(), "--target", target.toString());
                    TestTrees.assertSameTree(e.getValue(), target);
                }
            }
        }
        assertThat(killedMidway).as("prunes killed before they finished:\n%s", String.join("\n", kills)).isEqualTo(MIDWAY);
    }

    /** A prune's output, its exit status, and how long its work ran: from its first progress line to its last. */
    private record Output(List<String> lines, int exit, long millis) {
        /** Killed (SIGKILL: 128 + 9) after it had started its work and before it said it was done. */
        boolean killedMidway() {
            return exit == 137 && progressLines() > 0
                    && lines.stream().noneMatch(l -> l.startsWith("Pruned") || l.startsWith("Nothing to prune"));
        }

        long progressLines() {
            return lines.stream().filter(l -> l.startsWith("[")).count();
        }
    }

    /**
     * Runs the CLI's prune; kills it (SIGKILL) after its {@code afterLines}th progress line, or
     * {@code afterMillis} after its first one (when positive).
     */
    private Output runPrune(Path data, int afterLines, long afterMillis) throws Exception {
        Process p = new ProcessBuilder(javaCommand, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "prune", "--data-dir", data.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        int progress = 0;
        long first = 0;
        long last = 0;
        Thread timer = null;
        // Read to the end, past the kill: what it printed before the kill landed says how far it got.
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
                if (!line.startsWith("[")) {
                    continue;
                }
                last = System.nanoTime();
                if (++progress == 1) {
                    first = last;
                    if (afterMillis > 0) {
                        timer = Thread.ofPlatform().daemon().start(() -> {
                            try {
                                Thread.sleep(afterMillis);
                            } catch (InterruptedException e) {
                                return;
                            }
                            sigkill(p);
                        });
                    }
                }
                if (progress == afterLines) {
                    sigkill(p);
                }
            }
        }
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        if (timer != null) {
            timer.interrupt();
        }
        return new Output(List.copyOf(lines), p.exitValue(), (last - first) / 1_000_000);
    }

    /**
     * SIGKILL through the process's handle, which makes sure the pid is still that process's;
     * Process.destroyForcibly would also close the streams this test still reads.
     */
    private static void sigkill(Process p) {
        p.toHandle().destroyForcibly();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                    Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(p));
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
