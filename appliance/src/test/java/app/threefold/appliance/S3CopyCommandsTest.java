package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.backend.LocalBackend;
import app.threefold.backend.ObjectCopy;
import app.threefold.backend.S3Backend;
import app.threefold.backend.S3Server;
import app.threefold.backend.S3Settings;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code snapshots}, {@code check} and {@code restore} with {@code --repo s3:…} as a person runs
 * them after their NAS is gone: a copy of an appliance's repository in a bucket on a real S3
 * server (s3proxy on 127.0.0.1), credentials in the environment, the recovery password in a file.
 */
class S3CopyCommandsTest {
    private static final String RECOVERY = "repository secret";

    static S3Server server;
    @TempDir
    static Path shared;
    static Path source;
    static Path repository;
    static Path passwordFile;
    static S3Settings copy;
    static String location;

    @TempDir
    Path tmp;

    /** An appliance backs up a folder with a file larger than a pack; its repository is copied to a bucket. */
    @BeforeAll
    static void copyOfAnAppliancesRepositoryInABucket() throws Exception {
        server = S3Server.start();
        Path data = shared.resolve("data");
        passwordFile = shared.resolve("repo-password");
        Files.writeString(passwordFile, RECOVERY + "\n");
        Files.writeString(shared.resolve("admin-password"), "correct horse battery\n");
        assertThat(main(Map.of(), "init", "--data-dir", data.toString(), "--password-file", passwordFile.toString(),
                "--admin-user", "admin", "--admin-password-file", shared.resolve("admin-password").toString()).status()).isZero();
        source = TestTrees.awkward(shared.resolve("photos share"), 21);
        Run backup = main(Map.of(), "backup", "--data-dir", data.toString(), "--device", "nas-photos", source.toString());
        assertThat(backup.status()).as(backup.err()).isZero();
        repository = data.resolve("repository");
        copy = copyToNewBucket();
        location = copy.resticRepository();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    private static S3Settings copyToNewBucket() throws Exception {
        S3Settings settings = server.settings(server.createBucket(), "threefold/nas");
        try (LocalBackend local = LocalBackend.open(repository); S3Backend bucket = S3Backend.create(settings)) {
            assertThat(ObjectCopy.copyAll(local, bucket)).isPositive();
        }
        return settings;
    }

    @Test
    void aBucketCopyIsListedCheckedAndRestoredByteIdenticalAndResticOpensTheSameLocation() throws Exception {
        Map<String, String> env = server.resticEnvironment();

        Run list = main(env, "snapshots", "--repo", location, "--password-file", passwordFile.toString());
        Run check = main(env, "check", "--repo", location, "--password-file", passwordFile.toString());
        Run readData = main(env, "check", "--repo", location, "--password-file", passwordFile.toString(), "--read-data");
        Path target = tmp.resolve("restored");
        Run restore = main(env, "restore", "--repo", location, "--password-file", passwordFile.toString(),
                "--device", "nas-photos", target.toString());

        assertThat(list.status()).as(list.err()).isZero();
        assertThat(list.out()).contains("nas-photos").contains("1 snapshot");
        assertThat(check.status()).as(check.err()).isZero();
        assertThat(check.out()).contains("No errors were found.");
        assertThat(readData.status()).as(readData.err()).isZero();
        assertThat(readData.out()).contains("read ").contains("No errors were found.");
        assertThat(restore.status()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("8 files");
        TestTrees.assertSameTree(source, target);

        ResticCli restic = new ResticCli(location, RECOVERY, env);
        assertThat(restic.ok("snapshots")).contains("nas-photos");
        assertThat(restic.ok("check", "--read-data")).contains("no errors were found");
    }

    @Test
    void aDamagedPackInTheBucketMakesCheckReadDataExitOneNamingTheFile() throws Exception {
        S3Settings damaged = copyToNewBucket();
        try (S3Backend bucket = S3Backend.open(damaged)) {
            // The largest pack starts with the 9 MiB file's first blob.
            ObjectCopy.flipByte(server, damaged, ObjectCopy.largestPack(bucket), 4096);
        }

        Run check = main(server.resticEnvironment(), "check", "--repo", damaged.resticRepository(), "--password-file",
                passwordFile.toString(), "--read-data");
        Run local = main(Map.of(), "check", "--repo", repository.toString(), "--password-file", passwordFile.toString(),
                "--read-data");

        assertThat(check.status()).isEqualTo(1);
        assertThat(check.err()).contains("/docs/big.bin").contains("The repository is damaged");
        assertThat(local.status()).as("the NAS's own copy is untouched").isZero();
    }

    @Test
    void missingCredentialsAreARefusalThatNamesTheVariables() {
        Map<String, String> onlyKey = Map.of("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY);

        Run run = main(onlyKey, "snapshots", "--repo", location, "--password-file", passwordFile.toString());

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err().lines().toList()).singleElement().asString()
                .contains("AWS_ACCESS_KEY_ID").contains("AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void wrongCredentialsAMissingBucketAnUnreachableServerAndAnEmptyBucketAreEachOneLineThatSaysWhatToDo()
            throws Exception {
        Map<String, String> wrongSecret = new HashMap<>(server.resticEnvironment());
        wrongSecret.put("AWS_SECRET_ACCESS_KEY", "not-the-secret-at-all");
        String noBucket = server.endpoint() + "/no-such-bucket/nas";
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String unreachable = "s3:http://127.0.0.1:" + closedPort + "/bucket/nas";
        String empty = "s3:" + server.endpoint() + "/" + server.createBucket() + "/nas";
        Map<String, String> env = server.resticEnvironment();

        Run refused = main(wrongSecret, "snapshots", "--repo", location, "--password-file", passwordFile.toString());
        Run missing = main(env, "check", "--repo", "s3:" + noBucket, "--password-file", passwordFile.toString());
        Run down = main(env, "snapshots", "--repo", unreachable, "--password-file", passwordFile.toString());
        Run notARepository = main(env, "restore", "--repo", empty, "--password-file", passwordFile.toString(),
                tmp.resolve("out").toString());

        assertThat(refused.status()).isEqualTo(1);
        assertThat(oneLine(refused)).contains("refused access").contains("check the access key and secret")
                .doesNotContain("not-the-secret-at-all");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(oneLine(missing)).contains("'no-such-bucket' does not exist").contains("create it");
        assertThat(down.status()).isEqualTo(1);
        assertThat(oneLine(down)).contains("cannot reach").contains("127.0.0.1:" + closedPort);
        assertThat(notARepository.status()).isEqualTo(1);
        assertThat(oneLine(notARepository)).contains("is not a repository").contains("no config");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void theWrongPasswordOnABucketCopyIsOneClearLine() throws Exception {
        Path wrong = tmp.resolve("wrong");
        Files.writeString(wrong, "not the password\n");

        Run run = main(server.resticEnvironment(), "snapshots", "--repo", location, "--password-file", wrong.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(oneLine(run)).contains("password does not open").contains(location);
    }

    private static String oneLine(Run run) {
        assertThat(run.err().lines().toList()).as(run.err()).hasSize(1);
        return run.err().strip();
    }

    private record Run(int status, String out, String err) {
    }

    private static Run main(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
