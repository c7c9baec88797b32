package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.repository.TestTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every refusal is a clear status for the client and changes nothing on the appliance. */
class SftpRefusalTest extends LaptopSftpTest {
    static final String DESK_PW = "desk password!";

    @BeforeEach
    void addDesk() throws Exception {
        f.devices.create("desk", DESK_PW.toCharArray(), null);
        TestTrees.write(tmp.resolve("secret.txt"), "desk's secret\n".getBytes());
        TestTrees.write(tmp.resolve("note.txt"), "laptop's note\n".getBytes());
        assertThat(f.sftp("desk", DESK_PW, "put " + tmp.resolve("secret.txt") + " /secret.txt\n").exit()).isZero();
        assertThat(f.sftp("laptop", PW, "put " + tmp.resolve("note.txt") + " /note.txt\n").exit()).isZero();
        f.awaitSnapshots("desk", 1);
        f.awaitSnapshots("laptop", 1);
    }

    private List<String> auditActions() {
        return new ArrayList<>(f.catalog.jdbi().withHandle(h -> h.createQuery("SELECT action FROM audit_log ORDER BY id")
                .mapTo(String.class).list()));
    }

    @Test
    void aWrongPasswordOrKeyIsRefusedAndAudited() throws Exception {
        SftpFixture.Run wrong = f.sftp("laptop", "not the password", "ls\n");
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.output()).contains("Permission denied");
        SftpFixture.Run unknown = f.sftp("nobody", PW, "ls\n");
        assertThat(unknown.exit()).isNotZero();

        Path good = f.keygen("good");
        Path bad = f.keygen("bad");
        f.devices.addKey("laptop", Files.readString(good.resolveSibling("good.pub")));
        SftpFixture.Run badKey = f.sftpWithKey("laptop", bad, "ls\n");
        assertThat(badKey.exit()).isNotZero();
        assertThat(badKey.output()).contains("Permission denied");
        SftpFixture.Run goodKey = f.sftpWithKey("laptop", good, "ls /\n");
        assertThat(goodKey.exit()).as(goodKey.output()).isZero();
        assertThat(goodKey.output()).contains("note.txt");

        assertThat(auditActions()).contains("sftp.login-failed", "sftp.login");
        f.awaitIdle();
        assertThat(f.snapshotCount("laptop")).isEqualTo(1);
    }

    @Test
    void aDeletedDeviceCannotLogInAndItsSnapshotsStay() throws Exception {
        f.devices.delete("laptop", "alice");

        SftpFixture.Run login = f.sftp("laptop", PW, "ls\n");
        assertThat(login.exit()).isNotZero();
        assertThat(login.output()).contains("Permission denied");
        f.awaitIdle();
        assertThat(f.snapshotCount("laptop")).isEqualTo(1);
        assertThat(f.restic().ok("snapshots", "--host", "laptop")).contains("1 snapshots");
    }

    @Test
    void noPathReachesAnotherDeviceOrTheHost() throws Exception {
        for (String path : List.of("/secret.txt", "../desk/secret.txt", "/../../desk/secret.txt", "../../../../etc/passwd",
                "/etc/passwd", "..%2f..%2fetc%2fpasswd", "/./../sftp-sessions")) {
            SftpFixture.Run get = f.sftp("laptop", PW, "get \"" + path + "\" " + tmp.resolve("stolen") + "\n");
            assertThat(get.exit()).as(path).isNotZero();
            assertThat(get.output()).as(path).containsAnyOf("not found", "No such file");
            assertThat(tmp.resolve("stolen")).doesNotExist();
        }
        SftpFixture.Run root = f.sftp("laptop", PW, "cd ../../..\npwd\nls -a\n");
        assertThat(root.output()).contains("Remote working directory: /").contains("note.txt").doesNotContain("secret");
        f.awaitIdle();
        assertThat(f.snapshotCount("laptop")).isEqualTo(1);

        // A link to a host path resolves inside the device's own root.
        SftpFixture.Run link = f.sftp("laptop", PW, "ln -s /etc/passwd pw\n-get pw " + tmp.resolve("stolen") + "\n");
        assertThat(link.output()).containsAnyOf("not found", "No such file");
        assertThat(tmp.resolve("stolen")).doesNotExist();
    }

    @Test
    void writesUnderSnapshotsAreRefusedAsPermissionDenied() throws Exception {
        SftpFixture.Run ls = f.sftp("laptop", PW, "ls -1 /.snapshots\n");
        String snap = ls.output().lines().filter(l -> l.startsWith("/.snapshots/")).findFirst().orElseThrow();
        for (String batch : List.of("put " + tmp.resolve("note.txt") + " " + snap + "/new.txt\n",
                "rm " + snap + "/note.txt\n", "mkdir /.snapshots/mine\n", "rename " + snap + "/note.txt /stolen.txt\n",
                "chmod 777 " + snap + "/note.txt\n", "rmdir " + snap + "\n")) {
            SftpFixture.Run r = f.sftp("laptop", PW, batch);
            assertThat(r.exit()).as(batch).isNotZero();
            assertThat(r.output()).as(batch).contains("Permission denied");
        }
        SftpFixture.Run get = f.sftp("laptop", PW, "get " + snap + "/note.txt " + tmp.resolve("back.txt") + "\n");
        assertThat(get.exit()).as(get.output()).isZero();
        assertThat(Files.readString(tmp.resolve("back.txt"))).isEqualTo("laptop's note\n");
        f.awaitIdle();
        assertThat(f.snapshotCount("laptop")).isEqualTo(1);
    }

    @Test
    void aFolderDeeperThanPathMaxIsRefusedWithAClearMessageAndWhatFitsIsKept() throws Exception {
        // "/d" is 2 bytes: 2,048 levels are exactly 4096 bytes; rclone makes them one by one, then the 2,049th.
        SftpFixture.Run mkdir = f.rclone("laptop", PW, "mkdir", "tf:" + "d/".repeat(2049));
        assertThat(mkdir.exit()).isNotZero();
        assertThat(mkdir.output()).contains("path too long (over 4096 bytes)");

        f.awaitIdle();
        assertThat(f.snapshotCount("laptop")).isEqualTo(2);
        SftpFixture.Run lsf = f.rclone("laptop", PW, "lsf", "tf:" + "d/".repeat(2047));
        assertThat(lsf.exit()).as(lsf.output()).isZero();
        assertThat(lsf.output().lines().filter(l -> !l.contains("NOTICE"))).containsExactly("d/");
    }

    @Test
    void anUploadBeyondTheQuotaFailsAndKeepsNothing() throws Exception {
        f.devices.setQuota("laptop", f.devices.find("laptop").orElseThrow().bytesAdded() + 200_000);
        TestTrees.write(tmp.resolve("big.bin"), TestTrees.bytes(new Random(1), 2_000_000));

        SftpFixture.Run df = f.sftp("laptop", PW, "df\n");
        assertThat(df.exit()).as(df.output()).isZero();
        assertThat(df.output()).contains("Size");
        SftpFixture.Run put = f.sftp("laptop", PW, "put " + tmp.resolve("big.bin") + " /big.bin\n");
        assertThat(put.exit()).isNotZero();
        assertThat(put.output()).containsAnyOf("Failure", "quota");
        SftpFixture.Run rclone = f.rclone("laptop", PW, "copyto", tmp.resolve("big.bin").toString(), "tf:big2.bin");
        assertThat(rclone.exit()).isNotZero();
        assertThat(rclone.output()).contains("quota exceeded");

        f.awaitIdle();
        assertThat(f.snapshotCount("laptop")).isEqualTo(1);
        SftpFixture.Run ls = f.sftp("laptop", PW, "ls /\n");
        assertThat(ls.output()).doesNotContain("big");
    }

    @Test
    void execIsRefusedPolitelyAndScpWorks() throws Exception {
        List<String> ssh = new ArrayList<>(List.of("sshpass", "-p", PW, "ssh", "-o", "PubkeyAuthentication=no"));
        ssh.addAll(SftpFixture.sshOptions());
        ssh.addAll(List.of("-p", String.valueOf(f.server.port()), "laptop@127.0.0.1", "cat /etc/passwd"));
        SftpFixture.Run exec = f.run(Map.of(), null, ssh.toArray(String[]::new));
        assertThat(exec.exit()).isNotZero();
        assertThat(exec.output()).contains("SFTP only").doesNotContain("root:");

        List<String> scp = new ArrayList<>(List.of("sshpass", "-p", PW, "scp", "-o", "PubkeyAuthentication=no"));
        scp.addAll(SftpFixture.sshOptions());
        scp.addAll(List.of("-P", String.valueOf(f.server.port()), tmp.resolve("secret.txt").toString(), "laptop@127.0.0.1:/copied.txt"));
        SftpFixture.Run copy = f.run(Map.of(), null, scp.toArray(String[]::new));
        assertThat(copy.exit()).as(copy.output()).isZero();
        f.awaitSnapshots("laptop", 2);
        Path restored = tmp.resolve("restored");
        f.restic().ok("restore", "latest", "--host", "laptop", "--target", restored.toString());
        assertThat(Files.readString(restored.resolve("copied.txt"))).isEqualTo("desk's secret\n");
    }
}
