package app.threefold.web.snapshots;

import app.threefold.audit.AuditLog;
import app.threefold.device.ArchivedDevices;
import app.threefold.device.Devices;
import app.threefold.snapshot.CatalogSnapshots;
import app.threefold.snapshot.SnapshotId;
import app.threefold.snapshot.SnapshotRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What the panel reads about snapshots, in the shapes its pages use: the devices, their snapshots
 * newest first, and how the stored bytes grew. The rows come from the engine's owners of the
 * catalog tables ({@link CatalogSnapshots}, {@link Devices}, {@link ArchivedDevices}, the engine's stored bytes,
 * {@link AuditLog});
 * reading the catalog keeps pages fast, the snapshot files in the repository stay the truth.
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

    private final CatalogSnapshots snapshots;
    private final LongSupplier storedBytes;
    private final Devices devices;
    private final ArchivedDevices archived;
    private final AuditLog audit;

    /** @param devices the SFTP devices; null for a panel without them (tests), which lists snapshot hostnames only */
    public SnapshotCatalog(CatalogSnapshots snapshots, LongSupplier storedBytes, Devices devices, ArchivedDevices archived,
                           AuditLog audit) {
        this.snapshots = Objects.requireNonNull(snapshots);
        this.storedBytes = Objects.requireNonNull(storedBytes);
        this.devices = devices;
        this.archived = Objects.requireNonNull(archived);
        this.audit = Objects.requireNonNull(audit);
    }

    /**
     * The device's SFTP sessions that went wrong since its latest snapshot (a failed commit is then
     * replayed at the next start), and every session set aside in the last 30 days, newest first.
     */
    public List<SessionProblem> sessionProblems(String device) {
        return audit.sessionProblems(device, snapshots.latestTime(device).orElse(null)).stream()
                .map(e -> new SessionProblem(e.time(), e.action().equals("sftp.session.quarantined"),
                        text(e.detail().get("error")), text(e.detail().get("folder"))))
                .toList();
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    /** Every device: those registered for SFTP and those with snapshots. */
    public List<String> devices() {
        return snapshots.hostnamesAnd(devices == null ? List.of() : devices.names());
    }

    /** Whether the device has no password and no key (recovered from a copy): it must get one again. */
    public boolean needsLogin(String device) {
        return devices != null && devices.find(device).map(app.threefold.device.Device::needsLogin).orElse(false);
    }

    /** Devices an admin deleted; their snapshots stay (see {@code archived_devices}). */
    public Set<String> archived() {
        return archived.names();
    }

    public Totals totals(String device) {
        CatalogSnapshots.Totals t = snapshots.totals(device);
        return new Totals(t.snapshots(), t.latestFiles(), t.latestBytes(), t.bytesAdded());
    }

    /** The newest snapshot of each device that has one. */
    public List<Summary> latestPerDevice() {
        return snapshots.latestPerDevice().stream().map(SnapshotCatalog::summary).toList();
    }

    /** A device's snapshots, newest first. */
    public List<Summary> list(String device, int limit) {
        return snapshots.list(device, limit).stream().map(SnapshotCatalog::summary).toList();
    }

    public Optional<Summary> find(String device, SnapshotId id) {
        return snapshots.find(device, id).map(SnapshotCatalog::summary);
    }

    /** Bytes of all packs in the repository (after dedup and compression). */
    public long storedBytes() {
        return storedBytes.getAsLong();
    }

    /** Stored bytes after each snapshot (the running sum of what each added), oldest first. */
    public List<Point> growth() {
        List<Point> points = new ArrayList<>();
        long sum = 0;
        for (CatalogSnapshots.Added a : snapshots.added()) {
            sum += a.bytes();
            points.add(new Point(a.time(), sum));
        }
        return points;
    }

    private static Summary summary(SnapshotRow r) {
        SnapshotRow.Counts c = r.counts();
        return new Summary(r.id(), r.device(), r.time(), r.parent(), r.tree(), c.files(), c.bytes(), c.bytesAdded(),
                c.filesNew(), c.filesChanged(), c.filesUnchanged(), c.filesRemoved(), r.recovered());
    }
}
