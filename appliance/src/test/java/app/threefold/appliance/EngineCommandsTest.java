package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** backup, snapshots, restore and check as a person runs them, against a real appliance data dir. */
class EngineCommandsTest {
    private static final String RECOVERY = "repository secret";

    @TempDir
    Path tmp;
    Path data;
    Path repo;
    Path passwordFile;

    @BeforeEach
    void init() throws Exception {
        data = tmp.resolve("data");
        repo = data.resolve("repository");
        passwordFile = tmp.resolve("repo-password");
        Files.writeString(passwordFile, RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), "correct horse battery\n");
        Run init = main("init", "--data-dir", data.toString(), "--password-file", passwordFile.toString(),
                "--admin-user", "admin", "--admin-password-file", tmp.resolve("admin-password").toString());
        assertThat(init.status()).as(init.err()).isZero();
    }

    @Test
    void aFolderBackedUpWithTheCliIsListedRestoredAndCheckedByThreefoldAndRestic() throws Exception {
        Path source = TestTrees.awkward(tmp.resolve("photos share"), 11);

        Run backup = main("backup", "--data-dir", data.toString(), "--device", "nas-photos", source.toString());
        assertThat(backup.status()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("Files: 8 new, 0 changed, 0 unchanged").contains("added");

        Run again = main("backup", "--data-dir", data.toString(), "--device", "nas-photos", source.toString());
        assertThat(again.out()).contains("Files: 0 new, 0 changed, 8 unchanged").contains("Read 0 B of");

        Run list = main("snapshots", "--repo", repo.toString(), "--password-file", passwordFile.toString());
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains("nas-photos").contains("2 snapshots");

        Path target = tmp.resolve("restored");
        Run restore = main("restore", "--repo", repo.toString(), "--password-file", passwordFile.toString(),
                "--device", "nas-photos", "--snapshot", "latest", target.toString());
        assertThat(restore.status()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("8 files");
        TestTrees.assertSameTree(source, target);

        Run check = main("check", "--repo", repo.toString(), "--password-file", passwordFile.toString(), "--read-data");
        assertThat(check.status()).as(check.err()).isZero();
        assertThat(check.out()).contains("No errors were found.");
        assertThat(new ResticCli(repo, RECOVERY).ok("check", "--read-data")).contains("no errors were found");
    }

    @Test
    void aDamagedPackMakesCheckExitOneAndNameTheFileItBreaks() throws Exception {
        Path source = tmp.resolve("src");
        TestTrees.write(source.resolve("videos/holiday.mp4"), TestTrees.bytes(new Random(12), 3 << 20));
        assertThat(main("backup", "--data-dir", data.toString(), "--device", "tv", source.toString()).status()).isZero();
        TestTrees.flipByteInLargestPack(repo, 4096);

        Run structure = main("check", "--repo", repo.toString(), "--password-file", passwordFile.toString());
        Run check = main("check", "--repo", repo.toString(), "--password-file", passwordFile.toString(), "--read-data");

        assertThat(structure.status()).isZero();
        assertThat(check.status()).isEqualTo(1);
        assertThat(check.err()).contains("/videos/holiday.mp4").contains("The repository is damaged");
    }

    @Test
    void scrubReadsEveryPackAndWithNoCopyToRepairFromNamesTheFileADamagedPackTakes() throws Exception {
        Path source = tmp.resolve("src");
        TestTrees.write(source.resolve("videos/holiday.mp4"), TestTrees.bytes(new Random(12), 3 << 20));
        assertThat(main("backup", "--data-dir", data.toString(), "--device", "tv", source.toString()).status()).isZero();

        Run clean = main("scrub", "--data-dir", data.toString());
        TestTrees.flipByteInLargestPack(repo, 4096);
        Run damaged = main("scrub", "--data-dir", data.toString());
        Run unknown = main("scrub", "--data-dir", data.toString(), "--target", "Backblaze");

        assertThat(clean.status()).as(clean.err()).isZero();
        assertThat(clean.out()).contains("Scrubbed this NAS: ").contains("read and verified");
        assertThat(damaged.status()).isEqualTo(1);
        assertThat(damaged.err()).contains("damaged: pack").contains("cannot be restored intact: tv /videos/holiday.mp4");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("Unknown copy 'Backblaze'");
    }

    @Test
    void aWrongPasswordOrABadRepoIsOneClearLineAndChangesNothing() throws Exception {
        Path wrong = tmp.resolve("wrong");
        Files.writeString(wrong, "not the password\n");
        long before = count(repo);

        Run badPassword = main("snapshots", "--repo", repo.toString(), "--password-file", wrong.toString());
        Run notARepo = main("check", "--repo", tmp.toString(), "--password-file", passwordFile.toString());
        Run restoreIntoNonEmpty = main("restore", "--repo", repo.toString(), "--password-file", passwordFile.toString(), tmp.toString());
        Run badDevice = main("backup", "--data-dir", data.toString(), "--device", "../etc", tmp.toString());

        assertThat(badPassword.status()).isEqualTo(1);
        assertThat(badPassword.err().lines().toList()).singleElement().asString().contains("password does not open");
        assertThat(notARepo.status()).isEqualTo(1);
        assertThat(notARepo.err()).contains("no config");
        assertThat(restoreIntoNonEmpty.status()).isEqualTo(1);
        assertThat(badDevice.status()).isEqualTo(2);
        assertThat(badDevice.err()).contains("--device");
        assertThat(count(repo)).isEqualTo(before);
    }

    @Test
    void everyEngineCommandHasHelp() {
        for (String command : List.of("backup", "snapshots", "restore", "check", "scrub")) {
            Run help = main(command, "--help");
            assertThat(help.status()).as(command).isZero();
            assertThat(help.out()).startsWith("Usage: threefold " + command);
        }
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    private record Run(int status, String out, String err) {
    }

    private static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
