package app.threefold.peer;

import app.threefold.ThreefoldException.Kind;
import app.threefold.audit.AuditLog;
import app.threefold.peer.PairingMessages.Welcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * The guest's side of pairing (A in docs/peers.md): takes a friend's code, runs the handshake,
 * keeps the pairing (host, pinned key, account, key file) and has a copy target made for it. The
 * one owner of {@code peer_pairings}.
 */
public final class Pairings {
    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Path peersDir;
    private final Clock clock;
    private final Handshake handshake;
    private final PeerTargets targets;

    /**
     * @param targets where a pairing becomes a copy target; null records pairings without one (the
     *                appliance has no peer target kind wired)
     */
    public Pairings(Jdbi jdbi, AuditLog audit, Path dataDir, Clock clock, Handshake handshake, PeerTargets targets) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.audit = Objects.requireNonNull(audit);
        this.peersDir = dataDir.toAbsolutePath().normalize().resolve("peers");
        this.clock = Objects.requireNonNull(clock);
        this.handshake = Objects.requireNonNull(handshake);
        this.targets = targets;
    }

    /**
     * Pairs with the host a code names. Nothing is recorded unless the host accepted; a refused
     * handshake leaves no key behind.
     *
     * @param ourName this appliance's name as the host will list it
     * @throws PairingRefusedException malformed or expired code, another host key, the host's refusal
     */
    public Pairing accept(String codeText, String ourName, String actor) {
        return accept(codeText, ourName, null, actor);
    }

    /**
     * As {@link #accept(String, String, String)}, pairing back with a guest of this appliance: the
     * code must name the host key that guest gave when it paired, so the pairing is pinned both ways.
     *
     * @param expectedHostKey the host key the code must name ({@code SHA256:…}), or null for any
     */
    public Pairing accept(String codeText, String ourName, String expectedHostKey, String actor) {
        PairingCode code = PairingCode.parse(codeText);
        code.checkNotExpired(clock);
        if (expectedHostKey != null && !expectedHostKey.equals(code.hostKey())) {
            throw new PairingRefusedException(PairingRefusedException.Reason.HOSTKEY, "This code was made by another appliance"
                    + " (host key " + code.hostKey() + ") than the friend you are pairing back with (" + expectedHostKey
                    + "); ask that friend for a code from their Friends page.");
        }
        String name = ourName == null || ourName.isBlank() ? "Threefold" : ourName.strip();
        long id = jdbi.withHandle(h -> h.createQuery("SELECT nextval(pg_get_serial_sequence('peer_pairings', 'id'))")
                .mapTo(Long.class).one());
        Path dir = peersDir.resolve(Long.toString(id));
        Path keyFile = dir.resolve("id_ed25519");
        Welcome welcome;
        try {
            Files.createDirectories(dir);
            welcome = handshake.pair(code, keyFile, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + " for the pairing's key; check the data directory", e);
        } catch (RuntimeException e) {
            deleteQuietly(dir, e);
            throw e;
        }
        Instant now = clock.instant();
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO peer_pairings (id, name, host, port, host_key, user_name, key_path, quota, grace_days, created)
                        OVERRIDING SYSTEM VALUE
                        VALUES (:id, :name, :host, :port, :hk, :user, :key, :quota, :grace, :t)""")
                .bind("id", id).bind("name", code.name()).bind("host", code.host()).bind("port", code.port())
                .bind("hk", code.hostKey()).bind("user", welcome.user()).bind("key", keyFile.toString())
                .bind("quota", welcome.quota()).bind("grace", welcome.graceDays()).bind("t", Timestamp.from(now)).execute());
        audit.record(actor, "peer.pairing.added", Map.of("host", code.host() + ":" + code.port(), "name", code.name(),
                "user", welcome.user(), "hostKey", code.hostKey()));
        Pairing pairing = get(id);
        if (targets == null) {
            return pairing;
        }
        long target;
        try {
            target = targets.addPeer(pairing);
        } catch (RuntimeException e) {
            throw new PeerException(Kind.of(e), "Paired with " + code.name() + " (account " + welcome.user() + "), but its copy"
                    + " target could not be made: " + e.getMessage() + " Unpair and pair again with a new code.", e);
        }
        jdbi.useHandle(h -> h.createUpdate("UPDATE peer_pairings SET target_id = :t WHERE id = :id").bind("t", target)
                .bind("id", id).execute());
        return get(id);
    }

    public List<Pairing> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM peer_pairings ORDER BY id").map((rs, ctx) -> row(rs)).list());
    }

    public Pairing get(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM peer_pairings WHERE id = :id").bind("id", id)
                        .map((rs, ctx) -> row(rs)).findOne())
                .orElseThrow(() -> new PeerException(Kind.NOT_FOUND, "There is no pairing " + id + "; see Friends for the list."));
    }

    /**
     * Ends a pairing from A's side: its copy target and key are removed, so this appliance cannot
     * log in there again. The host keeps the copy until its owner removes it.
     */
    public void unpair(long id, String actor) {
        Pairing p = get(id);
        if (p.targetId() != null && targets != null) {
            targets.removePeer(p.targetId());
        }
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM peer_pairings WHERE id = :id").bind("id", id).execute());
        deleteTree(p.keyFile().getParent());
        audit.record(actor, "peer.pairing.removed", Map.of("host", p.host() + ":" + p.port(), "name", p.name(), "user", p.user()));
    }

    private static Pairing row(java.sql.ResultSet rs) throws java.sql.SQLException {
        long target = rs.getLong("target_id");
        return new Pairing(rs.getLong("id"), rs.getString("name"), rs.getString("host"), rs.getInt("port"), rs.getString("host_key"),
                rs.getString("user_name"), Path.of(rs.getString("key_path")), rs.getLong("quota"), rs.getInt("grace_days"),
                rs.wasNull() ? null : target, rs.getTimestamp("created").toInstant());
    }

    private static void deleteQuietly(Path dir, RuntimeException cause) {
        try {
            deleteTree(dir);
        } catch (UncheckedIOException e) {
            cause.addSuppressed(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the pairing's key folder " + dir + "; delete it by hand", e);
        }
    }
}
