package app.threefold.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import app.threefold.peer.PairingMessages.Welcome;
import app.threefold.peer.PairingRefusedException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest's pairings with a stub handshake and stub copy targets (the real ones are the SSH
 * client's and the mirror side's): a pairing gets its target, unpairing removes target and key, and
 * a refused handshake leaves nothing.
 */
@ExtendWith(TestDatabase.class)
class PairingsTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final List<String> targetCalls = new ArrayList<>();

    @TempDir
    Path dataDir;

    private final PeerTargets targets = new PeerTargets() {
        @Override
        public long addPeer(Pairing pairing) {
            targetCalls.add("add " + pairing.user() + " " + pairing.hostKey());
            return 42;
        }

        @Override
        public void removePeer(long targetId) {
            targetCalls.add("remove " + targetId);
        }
    };

    private String code() {
        return new PairingCode("nas.example.net", 2222, "SHA256:b", "dG9rZW4", clock.instant().plus(Duration.ofDays(7)), 1000,
                "Sam's NAS").encode();
    }

    @Test
    void aPairingGetsItsCopyTargetAndUnpairingRemovesTargetAndKey(Catalog catalog) throws Exception {
        Handshake accepts = (code, keyFile, name) -> {
            write(keyFile);
            return new Welcome("guest-0badcafe", code.quota(), 30);
        };
        Pairings pairings = new Pairings(catalog.jdbi(), new AuditLog(catalog.jdbi(), clock), dataDir, clock, accepts, targets);
        Pairing p = pairings.accept(code(), "Alex's NAS", "admin");

        assertThat(p.targetId()).isEqualTo(42L);
        assertThat(p.keyFile()).isEqualTo(dataDir.toAbsolutePath().resolve("peers/" + p.id() + "/id_ed25519"));
        assertThat(targetCalls).containsExactly("add guest-0badcafe SHA256:b");
        pairings.unpair(p.id(), "admin");
        assertThat(targetCalls).containsExactly("add guest-0badcafe SHA256:b", "remove 42");
        assertThat(p.keyFile().getParent()).doesNotExist();
        assertThat(pairings.list()).isEmpty();
    }

    @Test
    void aRefusedHandshakeLeavesNoRecordNoKeyAndNoTarget(Catalog catalog) {
        Handshake refuses = (code, keyFile, name) -> {
            write(keyFile);
            throw new PairingRefusedException(Reason.SPENT, "This pairing code was already used");
        };
        Pairings pairings = new Pairings(catalog.jdbi(), new AuditLog(catalog.jdbi(), clock), dataDir, clock, refuses, targets);
        assertThatThrownBy(() -> pairings.accept(code(), "Alex's NAS", "admin")).hasMessageContaining("already used");
        assertThat(pairings.list()).isEmpty();
        assertThat(targetCalls).isEmpty();
        assertThat(dataDir.resolve("peers").toFile().list()).isEmpty();
        // Pairing back insists on the host key the guest gave.
        assertThatThrownBy(() -> pairings.accept(code(), "Alex's NAS", "SHA256:other", "admin"))
                .hasMessageContaining("made by another appliance");
    }

    private static void write(Path keyFile) {
        try {
            Files.writeString(keyFile, "key");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
