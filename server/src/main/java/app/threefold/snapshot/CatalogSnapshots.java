package app.threefold.snapshot;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;

/**
 * The catalog's {@code snapshots} table, and the only class that reads or writes it: one summary
 * row per snapshot file, kept so pages and checks never list the repository. The snapshot files
 * stay the truth; every row can be rebuilt from them. Called inside another owner's transaction
 * ({@code jdbi.useTransaction}), a method joins it: Jdbi hands nested calls on one thread the same handle.
 */
public final class CatalogSnapshots {

    private static final HexFormat HEX = HexFormat.of();

    private final Jdbi jdbi;

    public CatalogSnapshots(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi);
    }

    /** Adds a snapshot's row; a snapshot recorded before keeps its row as it was. */
    public void add(Snapshot s, SnapshotRow.Counts counts) {
        jdbi.useHandle(h -> {
            Update insert = h.createUpdate("""
                            INSERT INTO snapshots (id, device, time, parent, tree, files, bytes, bytes_added, files_new, files_changed,
                                                   files_unchanged, files_removed)
                            VALUES (:id, :device, :time, :parent, :tree, :files, :bytes, :added, :new, :changed, :unchanged, :removed)
                            ON CONFLICT (id) DO NOTHING""")
                    .bind("id", s.id().bytes())
                    .bind("device", s.hostname())
                    .bind("time", OffsetDateTime.ofInstant(s.time(), ZoneOffset.UTC))
                    .bind("tree", s.tree().bytes())
                    .bind("files", counts.files())
                    .bind("bytes", counts.bytes())
                    .bind("added", counts.bytesAdded())
                    .bind("new", counts.filesNew())
                    .bind("changed", counts.filesChanged())
                    .bind("unchanged", counts.filesUnchanged())
                    .bind("removed", counts.filesRemoved());
            if (s.parent() == null) {
                insert.bindNull("parent", Types.BINARY);
            } else {
                insert.bind("parent", s.parent().bytes());
            }
            insert.execute();
        });
    }

    /** Marks a snapshot as saved from a cut-off session's journal (see {@link SnapshotRow#recovered()}). */
    public void markRecovered(Snapshot s) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE snapshots SET recovered = true WHERE id = :id")
                .bind("id", s.id().bytes()).execute());
    }

    /** Removes a forgotten snapshot's row; a row that is gone already is not an error. */
    public void remove(SnapshotId id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM snapshots WHERE id = :id").bind("id", id.id().bytes()).execute());
    }

    /** A device's snapshots, newest first, at most {@code limit}. */
    public List<SnapshotRow> list(String device, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM snapshots WHERE device = :d ORDER BY time DESC LIMIT :limit")
                .bind("d", device).bind("limit", limit).map((rs, ctx) -> row(rs)).list());
    }

    /** A device's snapshots, newest first. */
    public List<SnapshotRow> list(String device) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM snapshots WHERE device = :d ORDER BY time DESC")
                .bind("d", device).map((rs, ctx) -> row(rs)).list());
    }

    /** The device's snapshot with this id; empty if the device has none with it. */
    public Optional<SnapshotRow> find(String device, SnapshotId id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM snapshots WHERE id = :id AND device = :d")
                .bind("id", id.id().bytes()).bind("d", device).map((rs, ctx) -> row(rs)).findOne());
    }

    /** The newest snapshot of each device that has one, by device. */
    public List<SnapshotRow> latestPerDevice() {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT ON (device) * FROM snapshots ORDER BY device, time DESC")
                .map((rs, ctx) -> row(rs)).list());
    }

    /** Whether any snapshot carries {@code device} as its hostname. */
    public boolean any(String device) {
        return jdbi.withHandle(h -> h.createQuery("SELECT EXISTS (SELECT 1 FROM snapshots WHERE device = :d)")
                .bind("d", device).mapTo(Boolean.class).one());
    }

    /** When the device's newest snapshot was taken; empty if it has none. */
    public Optional<Instant> latestTime(String device) {
        return jdbi.withHandle(h -> h.createQuery("SELECT max(time) FROM snapshots WHERE device = :d")
                .bind("d", device).map((rs, ctx) -> rs.getTimestamp(1) == null ? null : rs.getTimestamp(1).toInstant())
                .findOne());
    }

    /**
     * {@code names} together with every snapshot hostname, without repeats, in the catalog's
     * collation order (as the panel lists devices).
     */
    public List<String> hostnamesAnd(Collection<String> names) {
        return jdbi.withHandle(h -> h.createQuery("SELECT unnest(:names) UNION SELECT DISTINCT device FROM snapshots ORDER BY 1")
                .bindArray("names", String.class, names).mapTo(String.class).list());
    }

    /** A device's snapshots in numbers: how many, the latest one's files and bytes, what they added in all. */
    public record Totals(long snapshots, long latestFiles, long latestBytes, long bytesAdded) {
    }

    public Totals totals(String device) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT count(*) AS n, COALESCE(SUM(bytes_added), 0) AS added,
                               COALESCE((SELECT files FROM snapshots WHERE device = :d ORDER BY time DESC LIMIT 1), 0) AS files,
                               COALESCE((SELECT bytes FROM snapshots WHERE device = :d ORDER BY time DESC LIMIT 1), 0) AS bytes
                        FROM snapshots WHERE device = :d""")
                .bind("d", device)
                .map((rs, ctx) -> new Totals(rs.getLong("n"), rs.getLong("files"), rs.getLong("bytes"), rs.getLong("added")))
                .one());
    }

    /** What one snapshot added to the repository, and when. */
    public record Added(Instant time, long bytes) {
    }

    /** What each snapshot added, oldest first: the running sum is how the stored bytes grew. */
    public List<Added> added() {
        return jdbi.withHandle(h -> h.createQuery("SELECT time, bytes_added FROM snapshots ORDER BY time")
                .map((rs, ctx) -> new Added(rs.getTimestamp("time").toInstant(), rs.getLong("bytes_added")))
                .list());
    }

    private static SnapshotRow row(ResultSet rs) throws SQLException {
        byte[] parent = rs.getBytes("parent");
        return new SnapshotRow(HEX.formatHex(rs.getBytes("id")), rs.getString("device"), rs.getTimestamp("time").toInstant(),
                parent == null ? null : HEX.formatHex(parent), HEX.formatHex(rs.getBytes("tree")),
                new SnapshotRow.Counts(rs.getLong("files"), rs.getLong("bytes"), rs.getLong("bytes_added"),
                        rs.getLong("files_new"), rs.getLong("files_changed"), rs.getLong("files_unchanged"),
                        rs.getLong("files_removed")),
                rs.getBoolean("recovered"));
    }
}
