package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.appliance.PeerAppliances.GuestSftp;
import app.threefold.appliance.PeerAppliances.Running;
import app.threefold.clock.TestClock;
import app.threefold.crypto.Crypto;
import app.threefold.crypto.KeyFile;
import app.threefold.crypto.MasterKey;
import app.threefold.peer.PairingCode;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.CheckFileNameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two appliances on loopback pair as docs/peers.md says: B (the host, "Sam's NAS") invites, A (the
 * guest, "Alex's NAS") accepts; refusals leave nothing behind; A's account on B follows the
 * guest rules; restic works in the folder; B holds nothing that opens A's repository.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PairingApplianceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-12-07T10:00:00Z");

    private Path tmp;
    private Running hostB;
    private Running guestA;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        tmp = dir;
        hostB = PeerAppliances.start(tmp.resolve("b"), new TestClock(START));
        guestA = PeerAppliances.start(tmp.resolve("a"), new TestClock(START));
    }

    @AfterAll
    void stop() {
        if (guestA != null) {
            guestA.close();
        }
        if (hostB != null) {
            hostB.close();
        }
    }

    private String invite(long quota, int validDays) throws Exception {
        HttpResponse<String> r = hostB.send("POST", "/api/v1/peers/invites", "{\"name\": \"Sam's NAS\", \"host\": \"127.0.0.1\","
                + " \"port\": " + hostB.sftpPort() + ", \"quota\": " + quota + ", \"validDays\": " + validDays + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).get("code").asText();
    }

    private HttpResponse<String> accept(String code) throws Exception {
        return guestA.send("POST", "/api/v1/peers/pairings", JSON.writeValueAsString(java.util.Map.of("code", code,
                "name", "Alex's NAS")));
    }

    private JsonNode paired(String code) throws Exception {
        HttpResponse<String> r = accept(code);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private JsonNode peers(Running r) throws Exception {
        return JSON.readTree(r.send("GET", "/api/v1/peers", null).body());
    }

    private static Path keyFile(Running guest, JsonNode pairing) {
        return guest.dataDir().resolve("peers").resolve(pairing.get("id").asText()).resolve("id_ed25519");
    }

    private GuestSftp login(JsonNode pairing) throws Exception {
        return GuestSftp.open(hostB.sftpPort(), pairing.get("user").asText(), keyFile(guestA, pairing),
                pairing.get("hostKey").asText());
    }

    /** What a refusal must leave as it was: A's pairings and key folders, B's guests. */
    private record State(int pairings, List<String> keyFolders, int guests) {
    }

    private State state() throws Exception {
        List<String> folders = new ArrayList<>();
        Path peersDir = guestA.dataDir().resolve("peers");
        if (Files.isDirectory(peersDir)) {
            try (Stream<Path> s = Files.list(peersDir)) {
                s.forEach(p -> folders.add(p.getFileName().toString()));
            }
        }
        folders.sort(null);
        return new State(peers(guestA).get("pairings").size(), folders, peers(hostB).get("guests").size());
    }

    @Test
    void aCodeMadeOnTheHostPairsTheGuestOnceWithAnOwnerOnlyKeyAndTheGuestWritesAndReadsInItsFolder() throws Exception {
        String code = invite(50_000_000, 7);
        JsonNode pairing = paired(code);

        String user = pairing.get("user").asText();
        assertThat(user).matches("guest-[0-9a-f]{8}");
        assertThat(pairing.get("name").asText()).isEqualTo("Sam's NAS");
        assertThat(pairing.get("graceDays").asInt()).isEqualTo(30);
        Path key = keyFile(guestA, pairing);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        // OpenSSH reads the key A made and derives the public key B was given.
        Process keygen = new ProcessBuilder("ssh-keygen", "-y", "-f", key.toString()).redirectErrorStream(true).start();
        String derived = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(keygen.waitFor()).as(derived).isZero();
        assertThat(Files.readString(key.resolveSibling("id_ed25519.pub"))).startsWith(derived.split(" ")[0] + " " + derived.split(" ")[1]);

        JsonNode guest = guestOnB(user);
        assertThat(guest.get("name").asText()).isEqualTo("Alex's NAS");
        assertThat(guest.get("hostKey").asText()).isEqualTo(app.threefold.sshd.SftpServer.hostKeyFingerprint(guestA.dataDir()));
        assertThat(guest.get("lastContact").isNull()).isTrue();

        // The same code a second time: refused, nothing changes on either side.
        State before = state();
        HttpResponse<String> again = accept(code);
        assertThat(again.statusCode()).isEqualTo(422);
        assertThat(again.body()).contains("already used");
        assertThat(state()).isEqualTo(before);

        byte[] object = TestTrees.bytes(new Random(1), 100_000);
        try (GuestSftp a = login(pairing)) {
            a.sftp().mkdir("/data");
            a.sftp().mkdir("/data/ab");
            a.put("/data/ab/ab01-tmp-123", object);
            a.sftp().rename("/data/ab/ab01-tmp-123", "/data/ab/ab01");
            assertThat(a.get("/data/ab/ab01")).isEqualTo(object);
            // A verifies an upload by a hash B computes, without reading it back.
            var hash = a.sftp().getExtension(CheckFileNameExtension.class)
                    .checkFileName("/data/ab/ab01", List.of("sha256", "md5"), 0, 0, 0);
            assertThat(hash.getKey()).isEqualTo("sha256");
            assertThat(hash.getValue()).singleElement()
                    .isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(object));
        }
        assertThat(Files.readAllBytes(hostB.dataDir().resolve("guests").resolve(user).resolve("data/ab/ab01"))).isEqualTo(object);
        assertThat(guestOnB(user).get("lastContact").asText()).isEqualTo(START.toString());
        assertThat(guestOnB(user).get("usage").asLong()).isEqualTo(object.length);
    }

    private JsonNode guestOnB(String user) throws Exception {
        HttpResponse<String> r = hostB.send("GET", "/api/v1/peers/guests/" + user, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void anExpiredCodeIsRefusedByTheHostAndByTheGuestAndNothingChanges() throws Exception {
        String code = invite(1_000_000, 1);
        State before = state();
        // A's clock still says the code is valid: B's refusal travels back over SSH.
        hostB.clock().advance(Duration.ofDays(2));
        try {
            HttpResponse<String> r = accept(code);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            assertThat(r.body()).contains("expired", "ask your friend for a new one");
            assertThat(state()).isEqualTo(before);

            guestA.clock().advance(Duration.ofDays(2));
            HttpResponse<String> local = accept(code);
            assertThat(local.statusCode()).isEqualTo(422);
            assertThat(local.body()).contains("This pairing code expired at");
            assertThat(state()).isEqualTo(before);
        } finally {
            guestA.clock().set(hostB.clock().instant());
        }
    }

    @Test
    void aWithdrawnCodeIsRefusedWithThatReasonAndNothingChanges() throws Exception {
        String code = invite(1_000_000, 7);
        JsonNode open = peers(hostB).get("invites");
        assertThat(open).isNotEmpty();
        JsonNode mine = open.get(open.size() - 1);
        assertThat(mine.get("host").asText()).isEqualTo("127.0.0.1");
        assertThat(mine.get("quota").asLong()).isEqualTo(1_000_000);
        long id = mine.get("id").asLong();

        HttpResponse<String> withdrawn = hostB.send("DELETE", "/api/v1/peers/invites/" + id, null);
        assertThat(withdrawn.statusCode()).as(withdrawn.body()).isEqualTo(204);
        assertThat(peers(hostB).get("invites").findValues("id")).extracting(JsonNode::asLong).doesNotContain(id);

        State before = state();
        HttpResponse<String> r = accept(code);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.body()).contains("withdrew this pairing code", "ask them for a new one");
        assertThat(state()).isEqualTo(before);

        HttpResponse<String> again = hostB.send("DELETE", "/api/v1/peers/invites/" + id, null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.body()).contains("No open invite " + id);
    }

    @Test
    void aMalformedCodeIsRefusedWithWhatToDo() throws Exception {
        HttpResponse<String> r = accept("TF1-bm90IGpzb24");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("not a valid pairing code", "copy the whole code");
    }

    @Test
    void aThirdApplianceAnsweringAtTheHostsAddressIsRefusedAndTheCodeStaysGood() throws Exception {
        String code = invite(1_000_000, 7);
        PairingCode real = PairingCode.parse(code);
        try (Running thirdC = PeerAppliances.start(tmp.resolve("c"), new TestClock(hostB.clock().instant()))) {
            String redirected = new PairingCode(real.host(), thirdC.sftpPort(), real.hostKey(), real.token(), real.expires(),
                    real.quota(), real.name()).encode();
            State before = state();
            HttpResponse<String> r = accept(redirected);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
            assertThat(r.body()).contains("is not Sam's NAS", "Nothing was sent");
            assertThat(state()).isEqualTo(before);
            assertThat(peers(thirdC).get("guests").size()).isZero();
        }
        // The token never left A: the real host still takes it.
        assertThat(paired(code).get("user").asText()).startsWith("guest-");
    }

    @Test
    void theGuestCannotOverwriteTruncateAppendRenameOrDeleteAtOnceNorReadOutsideItsFolder() throws Exception {
        JsonNode pairing = paired(invite(50_000_000, 7));
        String user = pairing.get("user").asText();
        Path folder = hostB.dataDir().resolve("guests").resolve(user);
        byte[] object = TestTrees.bytes(new Random(2), 10_000);
        try (GuestSftp a = login(pairing)) {
            a.sftp().mkdir("/snapshots");
            a.put("/snapshots/s1-tmp-9", object);
            a.sftp().rename("/snapshots/s1-tmp-9", "/snapshots/s1");

            SftpException overwrite = refusal(() -> a.put("/snapshots/s1", new byte[] {1}));
            assertThat(overwrite.getMessage()).isNotEmpty();
            SftpException truncate = refusal(() -> {
                try (var out = a.sftp().write("/snapshots/s1", SftpClient.OpenMode.Write, SftpClient.OpenMode.Truncate)) {
                    out.write(new byte[] {1});
                }
            });
            assertThat(truncate.getStatus()).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED);
            assertThat(truncate.getMessage()).contains("/snapshots/s1", "a guest may not overwrite, truncate or append");
            SftpException append = refusal(() -> {
                try (var out = a.sftp().write("/snapshots/s1", SftpClient.OpenMode.Append, SftpClient.OpenMode.Write)) {
                    out.write(new byte[] {1});
                }
            });
            assertThat(append.getStatus()).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED);
            SftpException setSize = refusal(() -> a.sftp().setStat("/snapshots/s1", new SftpClient.Attributes().size(1)));
            assertThat(setSize.getMessage()).contains("a guest may not truncate or extend");
            SftpException rename = refusal(() -> a.sftp().rename("/snapshots/s1", "/snapshots/s2"));
            assertThat(rename.getMessage()).contains("may not be renamed");
            a.put("/snapshots/s3-tmp-1", new byte[] {7});
            SftpException replace = refusal(() -> a.sftp().rename("/snapshots/s3-tmp-1", "/snapshots/s1",
                    SftpClient.CopyMode.Overwrite));
            assertThat(replace.getMessage()).contains("exists");
            // A -tmp- file is renamed once; after that it is an object like any other.
            a.sftp().rename("/snapshots/s3-tmp-1", "/snapshots/s3");
            assertThat(refusal(() -> a.sftp().rename("/snapshots/s3", "/snapshots/s3-tmp-2")).getMessage()).contains("may not be renamed");
            assertThat(Files.readAllBytes(folder.resolve("snapshots/s1"))).isEqualTo(object);

            // Nothing outside the folder can be named: the root is the folder.
            assertThat(names(a, "/../..")).containsExactlyInAnyOrder("snapshots");
            assertThat(refusal(() -> a.get("/../../appliance.key")).getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
            assertThat(refusal(() -> a.get("../" + user + "/../../threefold.lock")).getStatus()).isEqualTo(SftpConstants.SSH_FX_NO_SUCH_FILE);
            assertThat(refusal(() -> a.sftp().symLink("/snapshots/l", "/../../appliance.key")).getStatus())
                    .isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED);

            // A delete is a request: the file stays, readable and listed, until the grace period has passed.
            a.sftp().remove("/snapshots/s1");
            assertThat(a.get("/snapshots/s1")).isEqualTo(object);
            assertThat(names(a, "/snapshots")).contains("s1");
        }
        JsonNode pending = guestOnB(user).get("pendingDeletions");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).get("path").asText()).isEqualTo("snapshots/s1");
        Instant due = Instant.parse(pending.get(0).get("due").asText());
        assertThat(due).isEqualTo(hostB.clock().instant().plus(Duration.ofDays(30)));

        // Cancelled by B's owner: the request is gone and the file stays for good.
        HttpResponse<String> cancel = hostB.send("POST", "/api/v1/peers/guests/" + user + "/cancel-deletion",
                "{\"path\": \"snapshots/s1\"}");
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(204);
        assertThat(guestOnB(user).get("pendingDeletions")).isEmpty();
        hostB.clock().advance(Duration.ofDays(31));
        hostB.appliance().peers().guests().carryOutDueDeletions();
        assertThat(folder.resolve("snapshots/s1")).exists();

        // Asked again: carried out only once the 30 days have passed.
        try (GuestSftp a = login(pairing)) {
            a.sftp().remove("/snapshots/s1");
            a.sftp().mkdir("/locks");
            a.put("/locks/lock1", new byte[] {1, 2});
            a.sftp().remove("/locks/lock1");
            assertThat(names(a, "/locks")).isEmpty();
        }
        hostB.clock().advance(Duration.ofDays(29));
        hostB.appliance().peers().guests().carryOutDueDeletions();
        assertThat(folder.resolve("snapshots/s1")).exists();
        hostB.clock().advance(Duration.ofDays(1).plusSeconds(1));
        hostB.appliance().peers().guests().carryOutDueDeletions();
        assertThat(folder.resolve("snapshots/s1")).doesNotExist();
        assertThat(folder.resolve("snapshots/s3")).exists();
        assertThat(guestOnB(user).get("pendingDeletions")).isEmpty();
        guestA.clock().set(hostB.clock().instant());
    }

    @Test
    void aGuestOverItsQuotaIsRefusedWithAMessage() throws Exception {
        JsonNode pairing = paired(invite(20_000, 7));
        String user = pairing.get("user").asText();
        try (GuestSftp a = login(pairing)) {
            a.put("/config", new byte[15_000]);
            SftpException over = refusal(() -> a.put("/data-tmp-1", new byte[10_000]));
            assertThat(over.getMessage()).contains("quota exceeded", "20000 bytes");
        }
        assertThat(guestOnB(user).get("usage").asLong()).isLessThanOrEqualTo(20_000);
        // Raised by B's owner, the same upload fits.
        HttpResponse<String> raise = hostB.send("PATCH", "/api/v1/peers/guests/" + user, "{\"quota\": 100000}");
        assertThat(raise.statusCode()).as(raise.body()).isEqualTo(200);
        try (GuestSftp a = login(pairing)) {
            a.put("/data-tmp-2", new byte[10_000]);
        }
    }

    @Test
    void thePairLoginRunsOnlyThePairingCommandAndAGuestHasNoPasswordAndAnUnpairedGuestNoLogin() throws Exception {
        String code = invite(1_000_000, 7);
        String token = PairingCode.parse(code).token();
        Process sftp = new ProcessBuilder("sshpass", "-p", token, "sftp", "-o", "BatchMode=no", "-o", "PubkeyAuthentication=no",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-P", String.valueOf(hostB.sftpPort()),
                "-b", "-", "pair@127.0.0.1").redirectErrorStream(true).start();
        sftp.getOutputStream().write("ls /\n".getBytes(StandardCharsets.UTF_8));
        sftp.getOutputStream().close();
        String out = new String(sftp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sftp.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(sftp.exitValue()).as(out).isNotZero();
        Process shell = new ProcessBuilder("sshpass", "-p", token, "ssh", "-o", "PubkeyAuthentication=no",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-p", String.valueOf(hostB.sftpPort()),
                "pair@127.0.0.1", "cat /etc/passwd").redirectErrorStream(true).start();
        String shellOut = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shell.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(shell.exitValue()).isNotZero();
        assertThat(shellOut).doesNotContain("root:");
        // Only the pairing spends the code.
        JsonNode pairing = paired(code);

        String user = pairing.get("user").asText();
        Process password = new ProcessBuilder("sshpass", "-p", token, "sftp", "-o", "BatchMode=no", "-o", "PubkeyAuthentication=no",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-P", String.valueOf(hostB.sftpPort()),
                "-b", "-", user + "@127.0.0.1").redirectErrorStream(true).start();
        password.getOutputStream().close();
        password.getInputStream().readAllBytes();
        assertThat(password.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(password.exitValue()).isNotZero();

        assertThat(hostB.send("DELETE", "/api/v1/peers/guests/" + user, null).statusCode()).isEqualTo(204);
        assertThatThrownBy(() -> login(pairing).close()).hasMessageContaining("No more authentication methods available");
        assertThat(guestA.send("DELETE", "/api/v1/peers/pairings/" + pairing.get("id").asText(), null).statusCode()).isEqualTo(204);
        assertThat(keyFile(guestA, pairing).getParent()).doesNotExist();
    }

    @Test
    void plainResticBacksUpAndChecksARepositoryInTheGuestFolderWithThePairingKey() throws Exception {
        JsonNode pairing = paired(invite(100_000_000, 7));
        String user = pairing.get("user").asText();
        Path knownHosts = tmp.resolve("known_hosts-" + user);
        Process scan = new ProcessBuilder("ssh-keyscan", "-t", "ed25519", "-p", String.valueOf(hostB.sftpPort()), "127.0.0.1").start();
        String line = new String(scan.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(scan.waitFor()).isZero();
        Files.writeString(knownHosts, line + "\n");
        String command = "ssh -i " + keyFile(guestA, pairing) + " -p " + hostB.sftpPort() + " -o UserKnownHostsFile=" + knownHosts
                + " -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o PasswordAuthentication=no " + user + "@127.0.0.1 -s sftp";
        ResticCli restic = new ResticCli("sftp:" + user + "@127.0.0.1:/", "friend's password", java.util.Map.of());
        Path source = tmp.resolve("restic-source");
        TestTrees.write(source.resolve("photo.jpg"), TestTrees.bytes(new Random(5), 2_000_000));
        TestTrees.write(source.resolve("notes.txt"), "hello\n".getBytes(StandardCharsets.UTF_8));
        restic.ok("-o", "sftp.command=" + command, "init");
        restic.ok("-o", "sftp.command=" + command, "backup", source.toString());
        String check = restic.ok("-o", "sftp.command=" + command, "check", "--read-data");
        assertThat(check).contains("no errors were found");
        assertThat(restic.ok("-o", "sftp.command=" + command, "snapshots")).contains("1 snapshots");
        // restic removed its locks at once; no other file was asked to go.
        assertThat(guestOnB(user).get("pendingDeletions")).isEmpty();
        try (Stream<Path> locks = Files.list(hostB.dataDir().resolve("guests").resolve(user).resolve("locks"))) {
            assertThat(locks.toList()).isEmpty();
        }
    }

    @Test
    void theHostHoldsNothingThatOpensTheGuestsRepository() throws Exception {
        // B after pairing and receiving objects: everything B keeps is tried against A's repository.
        JsonNode pairing = paired(invite(100_000_000, 7));
        Path guestFolder = hostB.dataDir().resolve("guests").resolve(pairing.get("user").asText());
        copyTree(guestA.dataDir().resolve("repository"), guestFolder);

        Path repoA = guestA.dataDir().resolve("repository");
        List<byte[]> keyFilesA = new ArrayList<>();
        try (Stream<Path> s = Files.list(repoA.resolve("keys"))) {
            for (Path p : s.toList()) {
                keyFilesA.add(Files.readAllBytes(p));
            }
        }
        byte[] configA = Files.readAllBytes(repoA.resolve("config"));
        // A's own secret opens it: the check below can tell an opening key from one that is not.
        assertThat(keyFilesA.stream().filter(k -> tryOpen(k, PeerAppliances.RECOVERY))
                .map(k -> KeyFile.open(k, PeerAppliances.RECOVERY.toCharArray())).anyMatch(k -> opens(k, configA))).isTrue();

        List<Path> secrets = new ArrayList<>();
        try (Stream<Path> s = Files.walk(hostB.dataDir())) {
            s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    // PostgreSQL's files hold the catalog (token hashes, public keys), not key material;
                    // the guest folder holds only A's own ciphertext; logs are text written by B.
                    .filter(p -> !p.startsWith(hostB.dataDir().resolve("postgres")) && !p.startsWith(guestFolder)
                            && !p.startsWith(hostB.dataDir().resolve("logs")))
                    .forEach(secrets::add);
        }
        assertThat(secrets).extracting(p -> hostB.dataDir().relativize(p).toString())
                .contains("appliance.key", "ssh/host_ed25519_key");
        List<MasterKey> masterKeysOfB = new ArrayList<>();
        String applianceKeyB = Files.readString(app.threefold.engine.Engine.applianceKey(hostB.dataDir())).strip();
        try (Stream<Path> s = Files.list(hostB.dataDir().resolve("repository/keys"))) {
            for (Path p : s.toList()) {
                for (String pw : List.of(applianceKeyB, PeerAppliances.RECOVERY)) {
                    try {
                        masterKeysOfB.add(KeyFile.open(Files.readAllBytes(p), pw.toCharArray()));
                    } catch (RuntimeException wrong) {
                        // the other password opens this key file
                    }
                }
            }
        }
        assertThat(masterKeysOfB).isNotEmpty();
        for (MasterKey k : masterKeysOfB) {
            assertThat(opens(k, configA)).as("B's master key opens A's config").isFalse();
        }
        for (Path secret : secrets) {
            byte[] bytes = Files.readAllBytes(secret);
            if (bytes.length == 64) {
                MasterKey raw = new MasterKey(java.util.Arrays.copyOf(bytes, 32), java.util.Arrays.copyOfRange(bytes, 32, 48),
                        java.util.Arrays.copyOfRange(bytes, 48, 64));
                assertThat(opens(raw, configA)).as(secret.toString()).isFalse();
            }
            if (bytes.length > 4096) {
                continue; // no password is this long; packs and indexes of B's own repository
            }
            String asText = new String(bytes, StandardCharsets.UTF_8).strip();
            for (byte[] keyFile : keyFilesA) {
                assertThat(tryOpen(keyFile, asText)).as("%s opens a key of A's repository", secret).isFalse();
            }
        }
    }

    private static boolean tryOpen(byte[] keyFile, String password) {
        try {
            KeyFile.open(keyFile, password.toCharArray());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean opens(MasterKey key, byte[] sealed) {
        try {
            new Crypto(key, new SecureRandom()).open(sealed);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Test
    void aSeedDiskIsImportedIntoTheGuestsFolderOnlyWhereObjectsAreMissing() throws Exception {
        JsonNode pairing = paired(invite(100_000_000, 7));
        String user = pairing.get("user").asText();
        Path seed = tmp.resolve("usb-seed");
        copyTree(guestA.dataDir().resolve("repository"), seed);
        TestTrees.write(seed.resolve("data/aa/aa01"), TestTrees.bytes(new Random(7), 50_000));
        TestTrees.write(seed.resolve("data/bb/bb02"), TestTrees.bytes(new Random(8), 70_000));
        long files;
        try (Stream<Path> s = Files.walk(seed)) {
            files = s.filter(Files::isRegularFile).count();
        }
        // One object is there already (sent over the network before the disk arrived).
        try (GuestSftp a = login(pairing)) {
            a.sftp().mkdir("/data");
            a.sftp().mkdir("/data/aa");
            a.put("/data/aa/aa01-tmp-1", Files.readAllBytes(seed.resolve("data/aa/aa01")));
            a.sftp().rename("/data/aa/aa01-tmp-1", "/data/aa/aa01");
        }
        HttpResponse<String> r = hostB.send("POST", "/api/v1/peers/guests/" + user + "/seed",
                JSON.writeValueAsString(java.util.Map.of("path", seed.toString())));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode done = JSON.readTree(r.body());
        assertThat(done.get("copied").asLong()).isEqualTo(files - 1);
        assertThat(done.get("alreadyThere").asLong()).isEqualTo(1);
        Path folder = hostB.dataDir().resolve("guests").resolve(user);
        assertThat(Files.readAllBytes(folder.resolve("data/bb/bb02"))).isEqualTo(Files.readAllBytes(seed.resolve("data/bb/bb02")));
        assertThat(Files.readAllBytes(folder.resolve("config"))).isEqualTo(Files.readAllBytes(seed.resolve("config")));

        JsonNode again = JSON.readTree(hostB.send("POST", "/api/v1/peers/guests/" + user + "/seed",
                JSON.writeValueAsString(java.util.Map.of("path", seed.toString()))).body());
        assertThat(again.get("copied").asLong()).isZero();
        assertThat(again.get("alreadyThere").asLong()).isEqualTo(files);

        HttpResponse<String> notASeed = hostB.send("POST", "/api/v1/peers/guests/" + user + "/seed",
                JSON.writeValueAsString(java.util.Map.of("path", tmp.resolve("nothing-here").toString())));
        assertThat(notASeed.statusCode()).isEqualTo(400);
        assertThat(notASeed.body()).contains("There is no folder");
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!Files.exists(t)) {
                    Files.copy(p, t);
                }
            }
        }
    }

    private static List<String> names(GuestSftp a, String dir) throws Exception {
        List<String> names = new ArrayList<>();
        for (SftpClient.DirEntry e : a.sftp().readDir(dir)) {
            if (!e.getFilename().equals(".") && !e.getFilename().equals("..")) {
                names.add(e.getFilename());
            }
        }
        return names;
    }

    private interface SftpAction {
        void run() throws Exception;
    }

    private static SftpException refusal(SftpAction action) {
        try {
            action.run();
        } catch (SftpException e) {
            return e;
        } catch (Exception e) {
            if (e.getCause() instanceof SftpException s) {
                return s;
            }
            throw new AssertionError("expected an SFTP refusal, got " + e, e);
        }
        throw new AssertionError("expected an SFTP refusal, but the request succeeded");
    }

}
