package app.threefold.retention;

import app.threefold.snapshot.SnapshotId;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * The catalog's {@code snapshot_marks}, and the only class that reads or writes it: which snapshots
 * are pinned (kept whatever the policy says) and the labels people gave them.
 */
final class SnapshotMarks {

    private static final HexFormat HEX = HexFormat.of();

    /** A snapshot's pin and label. */
    record Mark(boolean pinned, String label) {
        static final Mark NONE = new Mark(false, "");
    }

    private final Jdbi jdbi;

    SnapshotMarks(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi);
    }

    /** The marks of one hostname's snapshots, by snapshot id in hex. */
    Map<String, Mark> of(String hostname) {
        Map<String, Mark> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT snapshot, pinned, label FROM snapshot_marks WHERE hostname = :h")
                .bind("h", hostname)
                .map((rs, ctx) -> Map.entry(HEX.formatHex(rs.getBytes("snapshot")), new Mark(rs.getBoolean("pinned"), rs.getString("label"))))
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }

    void pin(SnapshotId id, String hostname, boolean pinned) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO snapshot_marks (snapshot, hostname, pinned) VALUES (:id, :h, :p)
                        ON CONFLICT (snapshot) DO UPDATE SET pinned = :p""")
                .bind("id", id.id().bytes()).bind("h", hostname).bind("p", pinned).execute());
    }

    void label(SnapshotId id, String hostname, String label) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO snapshot_marks (snapshot, hostname, label) VALUES (:id, :h, :l)
                        ON CONFLICT (snapshot) DO UPDATE SET label = :l""")
                .bind("id", id.id().bytes()).bind("h", hostname).bind("l", label).execute());
    }

    /** Drops a forgotten snapshot's marks. */
    void remove(SnapshotId id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM snapshot_marks WHERE snapshot = :id").bind("id", id.id().bytes()).execute());
    }
}
