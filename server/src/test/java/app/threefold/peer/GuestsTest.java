package app.threefold.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.peer.PairingMessages.Request;
import app.threefold.peer.PairingMessages.Welcome;
import app.threefold.peer.PairingRefusedException.Reason;
import app.threefold.settings.Settings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The host's invites and guests on a real catalog: only a token's hash is kept, and a code works once. */
@ExtendWith(TestDatabase.class)
class GuestsTest {
    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHKx0t0n6mcsZ5H6ZVY4oF0NO3gYxKt+IgFAW/9rzMMh threefold-pairing";
    private final TestClock clock = new TestClock(Instant.parse("2026-12-07T10:00:00Z"));

    @TempDir
    Path dataDir;

    private Guests guests(Catalog catalog) {
        return new Guests(catalog.jdbi(), new AuditLog(catalog.jdbi(), clock), new Settings(catalog.jdbi()), dataDir, clock,
                new SecureRandom(), () -> "SHA256:hostkeyofb");
    }

    @Test
    void theCodeCarriesTheTokenButTheCatalogKeepsOnlyItsHash(Catalog catalog) {
        Invite invite = guests(catalog).invite("Sam's NAS", "nas.example.net", 2222, 500_000_000_000L, Duration.ofDays(7), "admin");
        PairingCode code = PairingCode.parse(invite.code());

        assertThat(code).isEqualTo(new PairingCode("nas.example.net", 2222, "SHA256:hostkeyofb", code.token(),
                Instant.parse("2026-12-14T10:00:00Z"), 500_000_000_000L, "Sam's NAS"));
        assertThat(Base64.getUrlDecoder().decode(code.token())).hasSize(32);
        byte[] raw = Base64.getUrlDecoder().decode(code.token());
        List<byte[]> stored = catalog.jdbi().withHandle(h -> h.createQuery("SELECT token_hash FROM peer_invites")
                .mapTo(byte[].class).list());
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0)).isEqualTo(Guests.sha256(raw)).isNotEqualTo(raw);
        String everything = catalog.jdbi().withHandle(h -> h.createQuery("SELECT CAST(i.* AS text) FROM peer_invites i")
                .mapTo(String.class).one());
        assertThat(everything).doesNotContain(code.token());
    }

    @Test
    void twoAppliancesRedeemingOneCodeAtOnceMakeOneGuest(Catalog catalog) throws Exception {
        Guests guests = guests(catalog);
        String token = PairingCode.parse(guests.invite("Sam's NAS", "127.0.0.1", 2222, 1_000_000, Duration.ofDays(7), "admin")
                .code()).token();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Object>> tries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tries.add(pool.submit(() -> {
                go.await();
                try {
                    return guests.redeem(token, new Request(KEY, "Alex's NAS", "SHA256:a"), "127.0.0.1");
                } catch (PairingRefusedException e) {
                    return e.reason();
                }
            }));
        }
        go.countDown();
        List<Object> results = new ArrayList<>();
        for (Future<Object> f : tries) {
            results.add(f.get());
        }
        pool.shutdown();
        assertThat(results).filteredOn(Welcome.class::isInstance).hasSize(1);
        assertThat(results).filteredOn(Reason.SPENT::equals).hasSize(3);
        assertThat(guests.list()).hasSize(1);
    }

    @Test
    void aDeletionWaitsForTheGracePeriodSetByTheOwner(Catalog catalog) throws Exception {
        Guests guests = guests(catalog);
        String token = PairingCode.parse(guests.invite("Sam's NAS", "127.0.0.1", 2222, 1_000_000, Duration.ofDays(7), "admin")
                .code()).token();
        String user = guests.redeem(token, new Request(KEY, "Alex's NAS", null), "127.0.0.1").user();
        guests.setGraceDays(3, "admin");
        java.nio.file.Files.writeString(guests.folder(user).resolve("index-1"), "x");
        assertThat(guests.requestDeletion(user, "index-1")).isEqualTo(clock.instant().plus(Duration.ofDays(3)));
        clock.advance(Duration.ofDays(3).minusSeconds(1));
        assertThat(guests.carryOutDueDeletions()).isZero();
        assertThat(guests.folder(user).resolve("index-1")).exists();
        clock.advance(Duration.ofSeconds(1));
        assertThat(guests.carryOutDueDeletions()).isEqualTo(1);
        assertThat(guests.folder(user).resolve("index-1")).doesNotExist();
        assertThatThrownBy(() -> guests.cancelDeletion(user, "index-1", "admin")).hasMessageContaining("no pending deletion");
    }

    @Test
    void aSeedImportWithoutAPathIsRefusedRatherThanReadFromTheWorkingFolder(Catalog catalog) {
        Guests guests = guests(catalog);
        String token = PairingCode.parse(guests.invite("Sam's NAS", "127.0.0.1", 2222, 1_000_000, Duration.ofDays(7), "admin")
                .code()).token();
        String user = guests.redeem(token, new Request(KEY, "Alex's NAS", null), "127.0.0.1").user();
        for (String empty : List.of("", " ")) {
            assertThatThrownBy(() -> guests.importSeed(user, Path.of(empty), "admin")).isInstanceOf(PeerException.class)
                    .hasMessageContaining("Give the folder on the seed disk");
        }
    }

    @Test
    void aSeedFillsOnlyWhatIsMissingAndLeavesNoTemporaryFiles(Catalog catalog) throws Exception {
        Guests guests = guests(catalog);
        String token = PairingCode.parse(guests.invite("Sam's NAS", "127.0.0.1", 2222, 1_000_000, Duration.ofDays(7), "admin")
                .code()).token();
        String user = guests.redeem(token, new Request(KEY, "Alex's NAS", null), "127.0.0.1").user();
        Path seed = java.nio.file.Files.createDirectories(dataDir.resolve("usb/copy/data/ab"));
        java.nio.file.Files.writeString(dataDir.resolve("usb/copy/config"), "config");
        java.nio.file.Files.writeString(seed.resolve("ab01"), "pack");
        java.nio.file.Files.createDirectories(guests.folder(user).resolve("data/ab"));
        java.nio.file.Files.writeString(guests.folder(user).resolve("data/ab/ab01"), "sent");

        assertThat(guests.importSeed(user, dataDir.resolve("usb/copy"), "admin")).isEqualTo(new SeedImport(1, 1, 6));

        assertThat(guests.folder(user).resolve("data/ab/ab01")).hasContent("sent");
        assertThat(guests.folder(user).resolve("config")).hasContent("config");
        try (var files = java.nio.file.Files.walk(guests.folder(user))) {
            assertThat(files.map(f -> guests.folder(user).relativize(f).toString())).noneMatch(f -> f.contains("tmp"));
        }
    }

    @Test
    void aCodeIsRefusedWithWhatToDoWhenCutShortExpiredOrNotACode() {
        assertThatThrownBy(() -> PairingCode.parse("TF1-abc")).isInstanceOf(PairingRefusedException.class)
                .hasMessageContaining("copy the whole code");
        assertThatThrownBy(() -> PairingCode.parse("hello")).hasMessageContaining("does not start with TF1-");
        PairingCode code = new PairingCode("h", 22, "SHA256:x", "t", clock.instant(), 1, "Sam's NAS");
        assertThat(PairingCode.parse(" " + code.encode() + "\n")).isEqualTo(code);
        assertThatThrownBy(() -> code.checkNotExpired(clock)).isInstanceOf(PairingRefusedException.class)
                .hasMessageContaining("expired").hasMessageContaining("Sam's NAS");
    }
}
