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
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code threefold prune} in a process of its own, killed with SIGKILL at more than 30
 * points (after its Nth progress line, or after a random delay): each time restic's check passes
 * on what it left, a following prune completes, and the repository is then clean (check
 * --read-data, nothing left to prune, every kept snapshot restores byte for byte).
 */
class PruneKillIT {
    private static final String RECOVERY = "repository secret";
    private static final int KILLS = 36;
    private final Path jar = Path.of(System.getProperty("threefold.jar", "target/threefold.jar"));
    private final String java = ProcessHandle.current().info().command().orElse("java");

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
        // A repository with work for a prune: 14 backups of a changing folder, two thirds of them forgotten.
        Path base = tmp.resolve("base");
        Path passwordFile = tmp.resolve("repo-password");
        Files.writeString(passwordFile, RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), "correct horse battery\n");
        Run init = main("init", "--data-dir", base.toString(), "--password-file", passwordFile.toString(),
                "--admin-user", "admin", "--admin-password-file", tmp.resolve("admin-password").toString());
        assertThat(init.status()).as(init.err()).isZero();
        Random random = new Random(15);
        Path src = tmp.resolve("src");
        for (int round = 0; round < 14; round++) {
            for (int i = 0; i < 3; i++) {
                Path f = src.resolve("f" + random.nextInt(8) + ".bin");
                TestTrees.write(f, TestTrees.bytes(random, 50_000 + random.nextInt(250_000)));
                Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_000_000L + round * 1000L));
            }
            Run backup = main("backup", "--data-dir", base.toString(), "--device", "laptop", src.toString());
            assertThat(backup.status()).as(backup.err()).isZero();
        }
        ResticCli baseRestic = new ResticCli(base.resolve("repository"), RECOVERY);
        List<String> ids = new ArrayList<>(List.of(baseRestic.ok("snapshots", "--json", "-q").split("\"id\":\"")));
        ids.remove(0);
        List<String> snapshots = ids.stream().map(s -> s.substring(0, 64)).sorted().toList();
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < snapshots.size(); i++) {
            if (i % 3 == 0) {
                kept.add(snapshots.get(i));
            } else {
                Files.delete(base.resolve("repository/snapshots").resolve(snapshots.get(i)));
            }
        }
        // The expected content of each kept snapshot, as restic restores it from the unpruned repository.
        Map<String, Path> expected = new TreeMap<>();
        for (String id : kept) {
            Path target = tmp.resolve("expected").resolve(id);
            baseRestic.ok("restore", id, "--target", target.toString());
            expected.put(id, target);
        }

        // How many progress lines a whole prune prints, and how long it takes, from a copy.
        Output probe = runPrune(copy(base, tmp.resolve("probe")), Integer.MAX_VALUE, 0);
        assertThat(probe.finished()).as(String.join("\n", probe.lines())).isTrue();
        int lines = (int) probe.progressLines();
        assertThat(lines).as(String.join("\n", probe.lines())).isGreaterThanOrEqualTo(KILLS / 2);

        Random when = new Random(16);
        int killedMidway = 0;
        for (int k = 0; k < KILLS; k++) {
            Path data = copy(base, tmp.resolve("kill-" + k));
            // Even: after the Nth progress line, N spread over the whole run; odd: at a random moment of it.
            Output out = k % 2 == 0 ? runPrune(data, 1 + (k / 2) * (lines - 1) / (KILLS / 2 - 1), 0)
                    : runPrune(data, Integer.MAX_VALUE, 1 + when.nextInt((int) Math.max(2, probe.millis())));
            if (!out.finished() && out.progressLines() > 0) {
                killedMidway++;
            }
            ResticCli restic = new ResticCli(data.resolve("repository"), RECOVERY);
            // The killed prune's lock names a process that is gone: restic unlock removes it, as a person would.
            restic.ok("unlock");
            ResticCli.Run check = restic.run("check");
            assertThat(check.exitCode()).as("kill %d after:\n%s\nrestic check:\n%s", k, String.join("\n", out.lines()), check.output())
                    .isZero();

            Run finish = main("prune", "--data-dir", data.toString());
            assertThat(finish.status()).as("kill %d: %s", k, finish.err()).isZero();
            Run again = main("prune", "--data-dir", data.toString(), "--dry-run");
            assertThat(again.out()).as("kill %d: the prune after the kill finished the job", k)
                    .contains("would remove 0 unused pack(s), repack 0 and remove 0");
            assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
            if (k % 8 == 7 || k == KILLS - 1) {
                for (Map.Entry<String, Path> e : expected.entrySet()) {
                    Path target = tmp.resolve("restored-" + k).resolve(e.getKey());
                    restic.ok("restore", e.getKey(), "--target", target.toString());
                    TestTrees.assertSameTree(e.getValue(), target);
                }
            }
            deleteTree(data);
        }
        assertThat(killedMidway).as("prunes killed before they finished").isGreaterThanOrEqualTo(30);
    }

    /** A prune's output, and how long it ran from its first progress line to its end. */
    private record Output(List<String> lines, long millis) {
        boolean finished() {
            return lines.stream().anyMatch(l -> l.startsWith("Pruned"));
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
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "prune", "--data-dir", data.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        int progress = 0;
        long first = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
                if (!line.startsWith("[")) {
                    continue;
                }
                if (++progress == 1) {
                    first = System.nanoTime();
                    if (afterMillis > 0) {
                        Thread.ofPlatform().daemon().start(() -> {
                            try {
                                Thread.sleep(afterMillis);
                            } catch (InterruptedException e) {
                                return;
                            }
                            p.destroyForcibly();
                        });
                    }
                }
                if (progress >= afterLines) {
                    p.destroyForcibly();
                    break;
                }
            }
        }
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Output(List.copyOf(lines), (System.nanoTime() - first) / 1_000_000);
    }

    private static Path copy(Path from, Path to) throws IOException, InterruptedException {
        Process cp = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
        assertThat(cp.waitFor()).isZero();
        return to;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
