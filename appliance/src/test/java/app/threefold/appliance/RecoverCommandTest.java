package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code threefold recover} as a person types it, mistakes included, from a USB disk's copy. */
class RecoverCommandTest {
    private static final String RECOVERY = "repository secret";

    @TempDir
    Path tmp;

    @Test
    void aWrongPasswordOrAMistypedCopyLeavesTheDataDirectoryEmptySoTheRetryWorks() throws Exception {
        Path old = tmp.resolve("old");
        Path passwordFile = tmp.resolve("repo-password");
        Files.writeString(passwordFile, RECOVERY + "\n");
        Path adminPassword = tmp.resolve("admin-password");
        Files.writeString(adminPassword, "correct horse battery\n");
        Run init = main("init", "--data-dir", old.toString(), "--password-file", passwordFile.toString(),
                "--admin-user", "admin", "--admin-password-file", adminPassword.toString());
        assertThat(init.status()).as(init.err()).isZero();
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(photos.resolve("a.txt"), "the beach");
        Run backup = main("backup", "--data-dir", old.toString(), "--device", "nas-photos", photos.toString());
        assertThat(backup.status()).as(backup.err()).isZero();
        Path usb = tmp.resolve("usb");
        copyTree(old.resolve("repository"), usb);
        Path wrong = tmp.resolve("wrong-password");
        Files.writeString(wrong, "not the kit's password\n");
        // The NAS dies: nothing of its data directory is left (and the JVM's PostgreSQL runs from the same place again).
        Path dataDir = old;
        try (Stream<Path> all = Files.walk(old)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }

        Run typo = main("recover", "--data-dir", dataDir.toString(), "--from", tmp.resolve("usbb").toString(),
                "--password-file", passwordFile.toString());
        Run badPassword = main("recover", "--data-dir", dataDir.toString(), "--from", usb.toString(),
                "--password-file", wrong.toString());

        assertThat(typo.status()).as(typo.err()).isNotZero();
        assertThat(badPassword.status()).as(badPassword.err()).isEqualTo(1);
        assertThat(badPassword.err()).contains("recovery kit");
        assertThat(entries(dataDir)).as("what the failed attempts left in the data directory").isEmpty();
        Run retry = main("recover", "--data-dir", dataDir.toString(), "--from", usb.toString(),
                "--password-file", passwordFile.toString());
        assertThat(retry.status()).as(retry.err() + retry.out()).isZero();
        assertThat(retry.out()).contains("1 snapshots");
        Run snapshots = main("snapshots", "--repo", dataDir.resolve("repository").toString(), "--password-file",
                passwordFile.toString());
        assertThat(snapshots.out()).contains("nas-photos");
    }

    @Test
    void aCopyAtAFriendsNasIsRecoveredOverSftpWithTheKeyAndHostKeyAndStaysATarget() throws Exception {
        Path old = tmp.resolve("old");
        Path passwordFile = tmp.resolve("repo-password");
        Files.writeString(passwordFile, RECOVERY + "\n");
        Path adminPassword = tmp.resolve("admin-password");
        Files.writeString(adminPassword, "correct horse battery\n");
        assertThat(main("init", "--data-dir", old.toString(), "--password-file", passwordFile.toString(),
                "--admin-user", "admin", "--admin-password-file", adminPassword.toString()).status()).isZero();
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(photos.resolve("a.txt"), "the beach");
        assertThat(main("backup", "--data-dir", old.toString(), "--device", "nas-photos", photos.toString()).status()).isZero();
        try (app.threefold.sshd.client.FolderSftpServer friend = new app.threefold.sshd.client.FolderSftpServer(tmp.resolve("friend"))) {
            copyTree(old.resolve("repository"), friend.root.resolve("copy"));
            try (Stream<Path> all = Files.walk(old)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            String location = "sftp://" + app.threefold.sshd.client.FolderSftpServer.USER + "@127.0.0.1:" + friend.port()
                    + "/copy";

            Run recover = main("recover", "--data-dir", old.toString(), "--from", location, "--key",
                    friend.keyFile.toString(), "--host-key", friend.hostKey, "--password-file", passwordFile.toString());

            assertThat(recover.status()).as(recover.err() + recover.out()).isZero();
            assertThat(recover.out()).contains("1 snapshots", "Recovered copy");
        }
    }

    private static java.util.List<String> entries(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return java.util.List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
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
