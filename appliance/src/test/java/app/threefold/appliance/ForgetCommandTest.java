package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code threefold forget} as a person runs it: a dry run lists what would go and why the rest stays. */
class ForgetCommandTest {
    private static final String RECOVERY = "repository secret";

    @TempDir
    Path tmp;

    @Test
    void forgetKeepsTheLastSnapshotsAskedForListsWhyAndResticSeesOnlyThose() throws Exception {
        Path data = tmp.resolve("data");
        Files.writeString(tmp.resolve("repo-password"), RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), "correct horse battery\n");
        assertThat(main("init", "--data-dir", data.toString(), "--password-file", tmp.resolve("repo-password").toString(),
                "--admin-user", "admin", "--admin-password-file", tmp.resolve("admin-password").toString()).status()).isZero();
        Path source = TestTrees.awkward(tmp.resolve("share"), 5);
        for (int i = 0; i < 4; i++) {
            Files.writeString(source.resolve("counter.txt"), "run " + i);
            assertThat(main("backup", "--data-dir", data.toString(), "--device", "nas-photos", source.toString()).status()).isZero();
        }

        Run byPolicy = main("forget", "--data-dir", data.toString(), "--device", "nas-photos", "--dry-run");
        assertThat(byPolicy.status()).as(byPolicy.err()).isZero();
        assertThat(byPolicy.out()).contains("nas-photos: keep everything within 48h of the newest, 14 daily, 8 weekly, 24 monthly, 10 yearly")
                .contains("Would forget 0 of 4 snapshots").contains("latest, within 48h, daily #1, weekly #1, monthly #1, yearly #1");

        Run dry = main("forget", "--data-dir", data.toString(), "--device", "nas-photos", "--keep-last", "2", "--dry-run");
        assertThat(dry.status()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("Would forget 2 of 4 snapshots").contains("Keeping 2:").contains("latest, last #1").contains("last #2");
        ResticCli restic = new ResticCli(data.resolve("repository"), RECOVERY);
        assertThat(restic.ok("snapshots", "--host", "nas-photos")).contains("4 snapshots");

        Run real = main("forget", "--data-dir", data.toString(), "--device", "nas-photos", "--keep-last", "2");
        assertThat(real.status()).as(real.err()).isZero();
        assertThat(real.out()).contains("Forgot 2 of 4 snapshots").contains("threefold prune");
        assertThat(restic.ok("snapshots", "--host", "nas-photos")).contains("2 snapshots");
        Run listed = main("snapshots", "--repo", data.resolve("repository").toString(), "--password-file",
                tmp.resolve("repo-password").toString(), "--device", "nas-photos");
        assertThat(listed.out().lines().filter(l -> l.contains("nas-photos")).count()).isEqualTo(2);
        restic.ok("check");

        Run negative = main("forget", "--data-dir", data.toString(), "--device", "nas-photos", "--keep-daily", "-1");
        assertThat(negative.status()).isEqualTo(2);
        assertThat(negative.err()).contains("cannot be negative");
        Run unknown = main("forget", "--data-dir", data.toString(), "--device", "nobody", "--keep-last", "1");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("no device or local source named 'nobody'");
    }

    @Test
    void aLiveDeviceWithoutSnapshotsHasNothingToForgetInsteadOfBeingUnknown() throws Exception {
        Path data = tmp.resolve("data");
        Files.writeString(tmp.resolve("repo-password"), RECOVERY + "\n");
        Files.writeString(tmp.resolve("admin-password"), "correct horse battery\n");
        assertThat(main("init", "--data-dir", data.toString(), "--password-file", tmp.resolve("repo-password").toString(),
                "--admin-user", "admin", "--admin-password-file", tmp.resolve("admin-password").toString()).status()).isZero();
        Config config = ConfigLoader.load(new ConfigLoader.Flags(data, null, null, null), Map.of());
        try (CatalogDatabase database = CatalogDatabase.open(config)) {
            new app.threefold.device.Devices(database.catalog().jdbi(), app.threefold.account.PasswordHasher.standard(),
                    java.time.Clock.systemUTC()).create("new-phone", "a long device password".toCharArray(), null);
        }

        Run fresh = main("forget", "--data-dir", data.toString(), "--device", "new-phone", "--keep-last", "1");

        assertThat(fresh.status()).as(fresh.err()).isZero();
        assertThat(fresh.err()).doesNotContain("no device");
        assertThat(fresh.out()).contains("0 of 0 snapshots");
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
