package app.threefold.web.snapshots;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * What the panel reads from the catalog's snapshot summaries: the devices, their snapshots
 * newest first, and how the stored bytes grew. Reading the catalog keeps pages fast; the
 * snapshot files in the repository stay the truth.
 */
public final class SnapshotCatalog {

    /**
     * One snapshot's summary row. {@code recovered}: saved from the journal of an SFTP session that
     * a crash or power loss cut off, so it holds only the uploads that had finished.
     */
    public record Summary(String id, String device, Instant time, String parent, String tree, long files, long bytes,
                          long bytesAdded, long filesNew, long filesChanged, long filesUnchanged, long filesRemoved,
                          boolean recovered) {

        public String shortId() {
            return id.substring(0, 8);
        }
    }

    /** A device's snapshots in numbers: how many, the latest one's files and bytes, what they added in all. */
    public record Totals(long snapshots, long latestFiles, long latestBytes, long bytesAdded) {
    }

    /** Stored bytes after a point in time, for the growth chart. */
    public record Point(Instant time, long storedBytes) {
    }

    /** A session of the device whose commit failed or that was set aside, from the activity log. */
    public record SessionProblem(Instant time, boolean quarantined, String error, String folder) {
    }

    private final Jdbi jdbi;

    /**
     * The device's SFTP sessions that went wrong since its latest snapshot (a failed commit is then
     * replayed at the next start), and every session set aside in the last 30 days, newest first.
     */
    public List<SessionProblem> sessionProblems(String device) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT time, action, detail->>'error' AS error, detail->>'folder' AS folder FROM audit_log
                        WHERE actor = :device
                          AND ((action = 'sftp.session.failed'
                                AND time > COALESCE((SELECT max(time) FROM snapshots WHERE device = :device), '-infinity'))
                            OR (action = 'sftp.session.quarantined' AND time > now() - interval '30 days'))
                        ORDER BY id DESC LIMIT 5""")
                .bind("device", device)
                .map((rs, ctx) -> new SessionProblem(rs.getTimestamp("time").toInstant(),
                        rs.getString("action").equals("sftp.session.quarantined"), rs.getString("error"), rs.getString("folder")))
                .list());
    }

    public SnapshotCatalog(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Every device: those registered for SFTP (once that table exists) and those with snapshots. */
    public List<String> devices() {
        return jdbi.withHandle(h -> {
            boolean registered = h.createQuery("SELECT to_regclass('devices') IS NOT NULL").mapTo(Boolean.class).one();
            String sql = registered
                    ? "SELECT name FROM devices UNION SELECT DISTINCT device FROM snapshots ORDER BY 1"
                    : "SELECT DISTINCT device FROM snapshots ORDER BY 1";
            return h.createQuery(sql).mapTo(String.class).list();
        });
    }

    /** Devices an admin deleted; their snapshots stay (see {@code archived_devices}). */
    public java.util.Set<String> archived() {
        return new java.util.HashSet<>(jdbi.withHandle(h -> h.createQuery("SELECT name FROM archived_devices")
                .mapTo(String.class).list()));
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

    /** The newest snapshot of each device that has one. */
    public List<Summary> latestPerDevice() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT DISTINCT ON (device) * FROM snapshots ORDER BY device, time DESC")
                .map((rs, ctx) -> map(rs)).list());
    }

    /** A device's snapshots, newest first. */
    public List<Summary> list(String device, int limit) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM snapshots WHERE device = :d ORDER BY time DESC LIMIT :limit")
                .bind("d", device).bind("limit", limit).map((rs, ctx) -> map(rs)).list());
    }

    public Optional<Summary> find(String device, String id) {
        byte[] bytes;
        try {
            bytes = HexFormat.of().parseHex(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM snapshots WHERE id = :id AND device = :d")
                .bind("id", bytes).bind("d", device).map((rs, ctx) -> map(rs)).findOne());
    }

    /** Bytes of all packs in the repository (after dedup and compression). */
    public long storedBytes() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(size), 0) FROM packs")
                .mapTo(Long.class).one());
    }

    /** Stored bytes after each snapshot (the running sum of what each added), oldest first. */
    public List<Point> growth() {
        List<Point> points = new ArrayList<>();
        long[] sum = {0};
        jdbi.useHandle(h -> h.createQuery("SELECT time, bytes_added FROM snapshots ORDER BY time")
                .map((rs, ctx) -> new Point(rs.getTimestamp("time").toInstant(), rs.getLong("bytes_added")))
                .forEach(p -> {
                    sum[0] += p.storedBytes();
                    points.add(new Point(p.time(), sum[0]));
                }));
        return points;
    }

    private static Summary map(ResultSet rs) throws SQLException {
        byte[] parent = rs.getBytes("parent");
        return new Summary(HexFormat.of().formatHex(rs.getBytes("id")), rs.getString("device"),
                rs.getTimestamp("time").toInstant(), parent == null ? null : HexFormat.of().formatHex(parent),
                HexFormat.of().formatHex(rs.getBytes("tree")),
                rs.getLong("files"), rs.getLong("bytes"), rs.getLong("bytes_added"), rs.getLong("files_new"),
                rs.getLong("files_changed"), rs.getLong("files_unchanged"), rs.getLong("files_removed"),
                rs.getBoolean("recovered"));
    }
}
