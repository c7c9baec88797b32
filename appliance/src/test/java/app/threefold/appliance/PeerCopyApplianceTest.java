package app.threefold.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.appliance.PeerAppliances.Running;
import app.threefold.clock.TestClock;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 end to end: A pairs with B through the API, a device of A backs up over SFTP, A syncs its
 * copy at B, and the copy at B is what a person needs after A is lost: restored byte-identical by
 * the CLI, passing the restore test, clean for plain restic, sent again when B's disk is lost,
 * seeded by disk, following A's prune only after B's grace period.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerCopyApplianceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-12-07T10:00:00Z");
    private static final String DEVICE = "anna-laptop";
    private static final String DEVICE_PASSWORD = "anna's password";

    private Path tmp;
    private Running hostB;
    private Running guestA;
    private Path source;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        tmp = dir;
        hostB = PeerAppliances.start(tmp.resolve("b"), new TestClock(START));
        guestA = PeerAppliances.start(tmp.resolve("a"), new TestClock(START));
        HttpResponse<String> created = guestA.send("POST", "/api/v1/devices",
                "{\"name\": \"" + DEVICE + "\", \"password\": \"" + DEVICE_PASSWORD + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        source = tmp.resolve("photos");
        TestTrees.write(source.resolve("cat.jpg"), TestTrees.bytes(new Random(3), 3_000_000));
        TestTrees.write(source.resolve("notes/ünï cødé.txt"), "hello\n".getBytes(StandardCharsets.UTF_8));
        TestTrees.write(source.resolve("notes/empty"), new byte[0]);
        backUp(source, 1);
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

    /** A's device uploads a folder with OpenSSH's sftp; waits until A holds {@code snapshots} snapshots of it. */
    private void backUp(Path folder, int snapshots) throws Exception {
        Process p = new ProcessBuilder("sshpass", "-p", DEVICE_PASSWORD, "sftp", "-o", "BatchMode=no",
                "-o", "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-P", String.valueOf(guestA.sftpPort()), "-b", "-", DEVICE + "@127.0.0.1").redirectErrorStream(true).start();
        p.getOutputStream().write(("put -rp " + folder + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (JSON.readTree(guestA.send("GET", "/api/v1/devices/" + DEVICE + "/snapshots", null).body()).size() < snapshots) {
            assertThat(System.nanoTime()).as("snapshot %d of %s", snapshots, folder).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private String invite(long quota) throws Exception {
        HttpResponse<String> r = hostB.send("POST", "/api/v1/peers/invites", "{\"name\": \"Sam's NAS\", \"host\": \"127.0.0.1\","
                + " \"port\": " + hostB.sftpPort() + ", \"quota\": " + quota + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).get("code").asText();
    }

    private JsonNode pair() throws Exception {
        HttpResponse<String> r = guestA.send("POST", "/api/v1/peers/pairings",
                JSON.writeValueAsString(Map.of("code", invite(1_000_000_000L), "name", "Alex's NAS")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode pairing = JSON.readTree(r.body());
        assertThat(pairing.get("copy").isNull()).as(r.body()).isFalse();
        return pairing;
    }

    /** Runs a job started by {@code path} to its end; its JSON. */
    private JsonNode run(Running on, String path, String body) throws Exception {
        HttpResponse<String> started = on.send("POST", path, body);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String job = JSON.readTree(started.body()).get("job").asText();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            JsonNode j = JSON.readTree(on.send("GET", "/api/v1/jobs/" + job, null).body());
            String state = j.get("state").asText();
            if (state.equals("succeeded") || state.equals("failed")) {
                return j;
            }
            assertThat(System.nanoTime()).as("job %s still %s", job, state).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private JsonNode sync(long target) throws Exception {
        JsonNode job = run(guestA, "/api/v1/targets/" + target + "/sync", null);
        assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("succeeded");
        return job.get("result");
    }

    private Path folderOnB(JsonNode pairing) {
        return hostB.dataDir().resolve("guests").resolve(pairing.get("user").asText());
    }

    private static Path keyFile(Running guest, JsonNode pairing) {
        return guest.dataDir().resolve("peers").resolve(pairing.get("id").asText()).resolve("id_ed25519");
    }

    private static Set<String> objects(Path repository) throws Exception {
        Set<String> names = new HashSet<>();
        try (Stream<Path> s = Files.walk(repository)) {
            s.filter(Files::isRegularFile).forEach(p -> names.add(repository.relativize(p).toString()));
        }
        return names;
    }

    /** Byte-identical files under the same names (SFTP v3 carried the times in whole seconds only). */
    private static void assertSameFiles(Path expected, Path actual) throws Exception {
        Set<String> names = objects(expected);
        assertThat(objects(actual)).isEqualTo(names);
        for (String name : names) {
            assertThat(Files.readAllBytes(actual.resolve(name))).as(name).isEqualTo(Files.readAllBytes(expected.resolve(name)));
        }
    }

    private record Run(int status, String out, String err) {
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Plain restic over OpenSSH with the pairing key, pinned to B's host key. */
    private ResticCli restic(JsonNode pairing, List<String> options) throws Exception {
        String user = pairing.get("user").asText();
        Path knownHosts = tmp.resolve("known_hosts-" + user);
        Process scan = new ProcessBuilder("ssh-keyscan", "-t", "ed25519", "-p", String.valueOf(hostB.sftpPort()), "127.0.0.1").start();
        String line = new String(scan.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(scan.waitFor()).isZero();
        Files.writeString(knownHosts, line + "\n");
        String command = "ssh -i " + keyFile(guestA, pairing) + " -p " + hostB.sftpPort() + " -o UserKnownHostsFile=" + knownHosts
                + " -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o PasswordAuthentication=no " + user + "@127.0.0.1 -s sftp";
        options.add("-o");
        options.add("sftp.command=" + command);
        return new ResticCli("sftp:" + user + "@127.0.0.1:/", PeerAppliances.RECOVERY, Map.of());
    }

    private String restic(JsonNode pairing, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>();
        ResticCli cli = restic(pairing, all);
        all.addAll(List.of(args));
        return cli.ok(all.toArray(String[]::new));
    }

    @Test
    void aCopyAtAFriendsIsRestoredByteIdenticalPassesTheRestoreTestChecksCleanAndIsNotSentTwice() throws Exception {
        JsonNode pairing = pair();
        long target = pairing.get("copy").asLong();
        String user = pairing.get("user").asText();

        JsonNode first = sync(target);
        Set<String> local = objects(guestA.dataDir().resolve("repository"));
        assertThat(first.get("objects").asLong()).as(first.toString()).isEqualTo(local.size());
        assertThat(objects(folderOnB(pairing))).containsAll(local);

        // After A is lost: the CLI restores from B with the pairing key and B's host key.
        Path restored = tmp.resolve("restored");
        Path passwordFile = tmp.resolve("recovery-password");
        Files.writeString(passwordFile, PeerAppliances.RECOVERY + "\n");
        Run restore = cli("restore", "--repo", "sftp://" + user + "@127.0.0.1:" + hostB.sftpPort() + "/", "--key",
                keyFile(guestA, pairing).toString(), "--host-key", pairing.get("hostKey").asText(), "--password-file",
                passwordFile.toString(), "--device", DEVICE, restored.toString());
        assertThat(restore.status()).as(restore.err()).isZero();
        assertSameFiles(source, restored.resolve(source.getFileName().toString()));

        JsonNode proof = run(guestA, "/api/v1/restore-tests", "{\"device\": \"" + DEVICE + "\", \"copy\": \"" + target + "\"}");
        assertThat(proof.get("state").asText()).as(proof.toString()).isEqualTo("succeeded");
        assertThat(proof.get("result").get("verdict").asText()).as(proof.toString()).isEqualTo("passed");
        // Each test pairs with "Sam's NAS" again: the copies are "Sam's NAS", "Sam's NAS (2)", … (target names are unique).
        String copyName = JSON.readTree(guestA.send("GET", "/api/v1/targets/" + target, null).body()).get("name").asText();
        assertThat(copyName).matches("Sam's NAS( \\([0-9]+\\))?");
        assertThat(proof.get("result").get("copyName").asText()).isEqualTo(copyName);

        String check = restic(pairing, "check", "--read-data");
        assertThat(check).contains("no errors were found");
        assertThat(restic(pairing, "snapshots")).contains(DEVICE);

        JsonNode second = sync(target);
        assertThat(second.get("objects").asLong()).as(second.toString()).isZero();
        assertThat(second.get("bytes").asLong()).isZero();

        JsonNode guest = JSON.readTree(hostB.send("GET", "/api/v1/peers/guests/" + user, null).body());
        long stored;
        try (Stream<Path> s = Files.walk(folderOnB(pairing))) {
            stored = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(guest.get("usage").asLong()).isEqualTo(stored);
        assertThat(guest.get("lastContact").isNull()).isFalse();
        assertThat(guest.get("pendingDeletions")).isEmpty();
        // A counts the copy at the friend's as off-site, under the friend's name.
        JsonNode copy = JSON.readTree(guestA.send("GET", "/api/v1/targets/" + target, null).body());
        assertThat(copy.get("offSite").asBoolean()).as(copy.toString()).isTrue();
        assertThat(copy.get("lastSync").get("state").asText()).isEqualTo("succeeded");
    }

    @Test
    void whenTheFriendsDiskIsLostTheNextSyncSeesItAtItsListingAndSendsEverythingAgain() throws Exception {
        JsonNode pairing = pair();
        long target = pairing.get("copy").asLong();
        String user = pairing.get("user").asText();
        sync(target);
        Path folder = folderOnB(pairing);
        long before = usage(user);
        assertThat(before).isPositive();

        // B's disk is replaced: the guest's folder is there again, empty.
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(folder)) {
                    Files.delete(p);
                }
            }
        }
        JsonNode again = sync(target);
        Set<String> local = objects(guestA.dataDir().resolve("repository"));
        // Found at the config's check when the sync connects (no config: the copy is new), not by trusting the ledger.
        assertThat(again.get("objects").asLong()).as(again.toString()).isEqualTo(local.size());
        assertThat(objects(folder)).containsAll(local);
        assertThat(restic(pairing, "check", "--read-data")).contains("no errors were found");
        // B counts what its disk holds now, not the lost bytes besides.
        assertThat(usage(user)).isEqualTo(before);
    }

    @Test
    void aCopySeededFromADiskIsCompletedByTheNextSyncWithOnlyTheObjectsAddedSince() throws Exception {
        Path usb = tmp.resolve("usb-disk");
        Files.createDirectories(usb);
        HttpResponse<String> added = guestA.send("POST", "/api/v1/targets", JSON.writeValueAsString(Map.of("type", "folder",
                "name", "USB disk", "path", usb.toString())));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        sync(JSON.readTree(added.body()).get("id").asLong());
        Path seed = usb;
        if (!Files.exists(seed.resolve("config"))) {
            try (Stream<Path> s = Files.list(usb)) {
                seed = s.filter(p -> Files.exists(p.resolve("config"))).findFirst().orElseThrow();
            }
        }
        Set<String> seeded = objects(guestA.dataDir().resolve("repository"));

        // The disk travels; meanwhile A backs up more.
        TestTrees.write(source.resolve("new/dog.jpg"), TestTrees.bytes(new Random(11), 1_500_000));
        int snapshots = JSON.readTree(guestA.send("GET", "/api/v1/devices/" + DEVICE + "/snapshots", null).body()).size();
        backUp(source, snapshots + 1);
        Set<String> since = objects(guestA.dataDir().resolve("repository"));
        since.removeAll(seeded);
        assertThat(since).isNotEmpty();

        JsonNode pairing = pair();
        String user = pairing.get("user").asText();
        HttpResponse<String> imported = hostB.send("POST", "/api/v1/peers/guests/" + user + "/seed",
                JSON.writeValueAsString(Map.of("path", seed.toString())));
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        assertThat(JSON.readTree(imported.body()).get("copied").asLong()).isEqualTo(seeded.size());

        JsonNode first = sync(pairing.get("copy").asLong());
        assertThat(first.get("objects").asLong()).as(first.toString()).isEqualTo(since.size());
        assertThat(first.get("bytes").asLong()).isLessThan(2_000_000);
        assertThat(objects(folderOnB(pairing))).containsAll(objects(guestA.dataDir().resolve("repository")));
        assertThat(restic(pairing, "check", "--read-data")).contains("no errors were found");
    }

    @Test
    void aDeletionAsSyncFollowsAPruneWaitsOnTheFriendsNasForItsGracePeriodAndTheCopyChecksCleanThroughout() throws Exception {
        JsonNode pairing = pair();
        long target = pairing.get("copy").asLong();
        String user = pairing.get("user").asText();
        // A removes what it pruned at the next sync; B keeps it for its own grace period regardless.
        HttpResponse<String> noDelay = guestA.send("PATCH", "/api/v1/targets/" + target, "{\"deleteDelayDays\": 0}");
        assertThat(noDelay.statusCode()).as(noDelay.body()).isEqualTo(200);
        // A second device's only snapshot: forgetting it and pruning removes its pack, index and snapshot.
        HttpResponse<String> bob = guestA.send("POST", "/api/v1/devices", "{\"name\": \"bob-phone\", \"password\": \"bob's password\"}");
        assertThat(bob.statusCode()).as(bob.body()).isEqualTo(201);
        Path gone = tmp.resolve("gone");
        TestTrees.write(gone.resolve("old.bin"), TestTrees.bytes(new Random(21), 1_200_000));
        sftpAs("bob-phone", "bob's password", "put -rp " + gone + "\n");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        JsonNode bobs;
        while ((bobs = JSON.readTree(guestA.send("GET", "/api/v1/devices/bob-phone/snapshots", null).body())).isEmpty()) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(100);
        }
        String forgotten = bobs.get(0).get("id").asText();
        sync(target);
        Set<String> before = objects(folderOnB(pairing));

        ResticCli localA = new ResticCli(guestA.dataDir().resolve("repository"), PeerAppliances.RECOVERY);
        localA.ok("forget", "--prune", forgotten);
        Set<String> pruned = new HashSet<>(before);
        pruned.removeAll(objects(guestA.dataDir().resolve("repository")));
        assertThat(pruned).anyMatch(n -> n.startsWith("data/")).anyMatch(n -> n.startsWith("snapshots/"));

        JsonNode followed = sync(target);
        assertThat(followed.get("removed").asLong()).as(followed.toString()).isEqualTo(pruned.size());
        // On B each is a request: still there, listed, readable, until B's grace period ends.
        JsonNode guest = JSON.readTree(hostB.send("GET", "/api/v1/peers/guests/" + user, null).body());
        Set<String> requested = new HashSet<>();
        guest.get("pendingDeletions").forEach(d -> requested.add(d.get("path").asText()));
        assertThat(requested).isEqualTo(pruned);
        assertThat(objects(folderOnB(pairing))).containsAll(before);
        assertThat(restic(pairing, "check", "--read-data")).contains("no errors were found");
        assertThat(restic(pairing, "snapshots")).contains(forgotten.substring(0, 8));

        // A's next syncs, a full listing among them, neither send the removed objects again nor ask twice.
        JsonNode again = run(guestA, "/api/v1/targets/" + target + "/sync", null);
        assertThat(again.get("state").asText()).as(again.toString()).isEqualTo("succeeded");
        hostB.clock().advance(java.time.Duration.ofDays(29));
        hostB.appliance().peers().guests().carryOutDueDeletions();
        assertThat(objects(folderOnB(pairing))).containsAll(before);

        hostB.clock().advance(java.time.Duration.ofDays(1).plusMinutes(1));
        hostB.appliance().peers().guests().carryOutDueDeletions();
        Set<String> after = objects(folderOnB(pairing));
        assertThat(after).doesNotContainAnyElementsOf(pruned);
        assertThat(after).containsAll(objects(guestA.dataDir().resolve("repository")));
        assertThat(restic(pairing, "check", "--read-data")).contains("no errors were found");
        assertThat(restic(pairing, "snapshots")).doesNotContain(forgotten.substring(0, 8));
        JsonNode proof = run(guestA, "/api/v1/restore-tests", "{\"device\": \"" + DEVICE + "\", \"copy\": \"" + target + "\"}");
        assertThat(proof.get("result").get("verdict").asText()).as(proof.toString()).isEqualTo("passed");
        guestA.clock().set(hostB.clock().instant());
    }

    private void sftpAs(String device, String password, String commands) throws Exception {
        Process p = new ProcessBuilder("sshpass", "-p", password, "sftp", "-o", "BatchMode=no",
                "-o", "PubkeyAuthentication=no", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-P", String.valueOf(guestA.sftpPort()), "-b", "-", device + "@127.0.0.1").redirectErrorStream(true).start();
        p.getOutputStream().write(commands.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void aFailedUploadsTemporaryFileIsRemovedAtOnceOnTheFriendsNasWhileObjectsWaitForTheGracePeriod() throws Exception {
        JsonNode pairing = pair();
        String user = pairing.get("user").asText();
        sync(pairing.get("copy").asLong());
        long before = usage(user);
        String object = objects(folderOnB(pairing)).stream().filter(n -> n.startsWith("data/")).findFirst().orElseThrow();
        try (PeerAppliances.GuestSftp a = PeerAppliances.GuestSftp.open(hostB.sftpPort(), user, keyFile(guestA, pairing),
                pairing.get("hostKey").asText())) {
            // What SftpBackend does when an upload fails: it removes its temporary file.
            String temporary = "/" + object + "-tmp-0123456789abcdef0123456789abcdef";
            a.put(temporary, new byte[300_000]);
            a.sftp().remove(temporary);
            assertThat(folderOnB(pairing).resolve(temporary.substring(1))).doesNotExist();
            // An object is only asked for.
            a.sftp().remove("/" + object);
            assertThat(folderOnB(pairing).resolve(object)).exists();
        }
        JsonNode guest = JSON.readTree(hostB.send("GET", "/api/v1/peers/guests/" + user, null).body());
        assertThat(guest.get("pendingDeletions")).singleElement().satisfies(d -> assertThat(d.get("path").asText()).isEqualTo(object));
        assertThat(guest.get("usage").asLong()).isEqualTo(before);
        assertThat(hostB.send("POST", "/api/v1/peers/guests/" + user + "/cancel-deletion",
                JSON.writeValueAsString(Map.of("path", object))).statusCode()).isEqualTo(204);
    }

    private long usage(String user) throws Exception {
        return JSON.readTree(hostB.send("GET", "/api/v1/peers/guests/" + user, null).body()).get("usage").asLong();
    }
}
