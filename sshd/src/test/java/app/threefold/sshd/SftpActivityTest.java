package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the activity log says about SFTP clients: one login per session, however many connections the client opens. */
class SftpActivityTest extends LaptopSftpTest {

    private record Row(String action, String detail) {
    }

    private List<Row> rows() {
        return f.catalog.jdbi().withHandle(h -> h.createQuery("SELECT action, detail::text AS detail FROM audit_log ORDER BY id")
                .map((rs, ctx) -> new Row(rs.getString("action"), rs.getString("detail"))).list());
    }

    @Test
    void anRcloneSyncOverManyConnectionsIsOneLoginAndOneSnapshotWithoutEmptyTags() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("photos"));
        for (int i = 0; i < 40; i++) {
            Files.writeString(src.resolve("photo-" + i + ".jpg"), "picture " + i);
        }

        SftpFixture.Run sync = f.rclone("laptop", PW, "sync", "--transfers", "8", "--checkers", "8", src.toString(), "tf:photos");
        assertThat(sync.exit()).as(sync.output()).isZero();
        f.awaitSnapshots("laptop", 1);

        List<Row> rows = rows();
        assertThat(rows.stream().filter(r -> r.action().equals("sftp.login")))
                .as("one row for the whole sync, not one per rclone connection: " + rows)
                .hasSize(1).first().extracting(Row::detail).asString().contains("127.0.0.1");
        Row snapshot = rows.stream().filter(r -> r.action().equals("sftp.snapshot")).findFirst().orElseThrow();
        assertThat(snapshot.detail()).contains("\"files\": 40").doesNotContain("tags");
    }

    @Test
    void aNightlySyncThatChangesNothingStillCountsAsABackup() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("documents"));
        Files.writeString(src.resolve("thesis.txt"), "chapter one");
        assertThat(f.rclone("laptop", PW, "sync", src.toString(), "tf:documents").exit()).isZero();
        f.awaitSnapshots("laptop", 1);
        java.time.Instant snapshot = f.devices.snapshots("laptop").get(0).time();
        Thread.sleep(1100);

        SftpFixture.Run again = f.rclone("laptop", PW, "sync", src.toString(), "tf:documents");
        assertThat(again.exit()).as(again.output()).isZero();
        f.awaitSnapshots("laptop", 1);

        // No new snapshot (nothing changed), yet the device backed up just now: lateness counts from this sync.
        assertThat(f.devices.punctuality("laptop").lastBackup()).isAfter(snapshot.plusSeconds(1));
    }

    @Test
    void aSecondSessionIsASecondLogin() throws Exception {
        assertThat(f.sftp("laptop", PW, "ls\n").exit()).isZero();
        f.awaitIdle();
        assertThat(f.sftp("laptop", PW, "ls\n").exit()).isZero();
        f.awaitIdle();

        assertThat(rows().stream().filter(r -> r.action().equals("sftp.login"))).hasSize(2);
    }

    @Test
    void theDeviceRemembersWhereAndWhenItLastConnected() throws Exception {
        assertThat(f.devices.punctuality("laptop").lastConnected()).isNull();

        assertThat(f.sftp("laptop", PW, "ls\n").exit()).isZero();
        f.awaitIdle();

        var seen = f.devices.punctuality("laptop");
        assertThat(seen.lastAddress()).isEqualTo("127.0.0.1");
        assertThat(seen.lastConnected()).isNotNull();
        assertThat(seen.text()).contains("it last connected from 127.0.0.1 on ");
    }
}
