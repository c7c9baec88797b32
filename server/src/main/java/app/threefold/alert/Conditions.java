package app.threefold.alert;

import app.threefold.device.ArchivedDevices;
import app.threefold.device.Device;
import app.threefold.device.Devices;
import app.threefold.device.Lateness;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.mirror.Target;
import app.threefold.mirror.Targets;
import app.threefold.settings.Settings;
import app.threefold.snapshot.CatalogSnapshots;
import app.threefold.snapshot.SnapshotRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The checks the appliance watches, by condition id. Each is a {@link Condition}; those whose data
 * belongs to other parts (scrub, peers) take that part's answer as a function, so wiring one is a
 * line: {@code alerts.watch(Conditions.scrubDamage(now -> scrubs.findings()))}.
 */
public final class Conditions {

    public static final String RESTORE_TEST_FAILED = "restore-test-failed";
    public static final String DEVICE_SILENT = "device-silent";
    public static final String COPY_BEHIND = "copy-behind";
    public static final String DISK_FULL = "disk-full";
    public static final String SCRUB_DAMAGE = "scrub-damage";
    public static final String DAMAGE_UNREPAIRED = "damage-unrepaired";
    public static final String PEER_UNREACHABLE = "peer-unreachable";

    /** Days without a backup before a device is reported, unless its own setting says otherwise. */
    public static final int DEFAULT_SILENT_DAYS = 3;
    /** Days a copy may lag behind (its last good sync) before it is reported. */
    public static final int DEFAULT_COPY_DAYS = 3;
    /** Share of the data directory's file system in use above which the disk is reported. */
    public static final double DISK_LIMIT = 0.90;
    /** Share below which a disk reported full is no longer reported. */
    public static final double DISK_CLEAR = 0.88;

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm");

    private Conditions() {
    }

    /** The settings key of a device's "no backup for N days" (0: never report it). */
    public static String silentDaysKey(String device) {
        return "alert.silent-days." + device;
    }

    /** The settings key of "a copy more than N days behind". */
    public static final String COPY_DAYS_KEY = "alert.copy-days";

    /** The latest restore test of each device on each copy, when it failed (or could not run). */
    public static Condition restoreTestFailed(Jobs jobs) {
        return Condition.of(RESTORE_TEST_FAILED, now -> {
            List<Finding> found = new ArrayList<>();
            for (Job j : jobs.latestFinished(RestoreProofs.KIND)) {
                boolean failed = j.state() == Job.State.FAILED
                        || (j.result() != null && "failed".equals(String.valueOf(j.result().get("verdict"))));
                if (!failed) {
                    continue;
                }
                String copyName = j.result() != null && j.result().get("copyName") != null
                        ? String.valueOf(j.result().get("copyName")) : "copy " + j.copy();
                String why = j.error() != null ? j.error() : describeFailures(j.result());
                found.add(new Finding(j.device() + " on " + j.copy(),
                        "Restore test of " + j.device() + " from " + copyName + " failed",
                        "The restore test of device " + j.device() + " from " + copyName + " failed on "
                                + when(j.finished()) + ": " + why + "\n\nRun the test again from the dashboard; if it"
                                + " fails again, run `threefold check --read-data` on that copy and restore the named"
                                + " files from another copy."));
            }
            return found;
        });
    }

    @SuppressWarnings("unchecked")
    private static String describeFailures(Map<String, Object> result) {
        if (result == null || !(result.get("failures") instanceof List<?> list) || list.isEmpty()) {
            return "it did not pass";
        }
        StringBuilder sb = new StringBuilder(list.size() + " file(s) did not come back intact");
        for (Object o : list.subList(0, Math.min(5, list.size()))) {
            Map<String, Object> f = (Map<String, Object>) o;
            sb.append("\n  ").append(f.get("path")).append(": ").append(f.get("reason"));
        }
        return sb.toString();
    }

    /**
     * Devices (and local sources) whose newest snapshot is older than their limit: {@value
     * #DEFAULT_SILENT_DAYS} days, or the device's own setting ({@link #silentDaysKey}, 0 for never).
     * A device that never backed up counts from when it was added; deleted devices are not watched.
     */
    public static Condition deviceSilent(CatalogSnapshots snapshots, Devices devices, ArchivedDevices archived,
                                         Settings settings) {
        return Condition.of(DEVICE_SILENT, now -> {
            Map<String, Instant> latest = new HashMap<>();
            for (SnapshotRow r : snapshots.latestPerDevice()) {
                latest.put(r.device(), r.time());
            }
            // A sync that changed nothing writes no snapshot: the device's last completed session counts too.
            for (Lateness l : devices.punctuality()) {
                if (l.lastBackup() != null) {
                    latest.merge(l.device(), l.lastBackup(), (a, b) -> a.isAfter(b) ? a : b);
                }
            }
            Map<String, Instant> since = new HashMap<>(latest);
            Set<String> gone = new HashSet<>(archived.names());
            for (Device d : devices.list()) {
                since.putIfAbsent(d.name(), d.created());
                if (!d.enabled()) {
                    // It cannot log in: its silence is the admin's choice, not news.
                    gone.add(d.name());
                }
            }
            List<Finding> found = new ArrayList<>();
            since.forEach((device, from) -> {
                if (gone.contains(device)) {
                    return;
                }
                int days = settings.get(silentDaysKey(device)).map(Integer::parseInt).orElse(DEFAULT_SILENT_DAYS);
                if (days <= 0 || !from.plus(Duration.ofDays(days)).isBefore(now)) {
                    return;
                }
                long ago = Duration.between(from, now).toDays();
                boolean never = !latest.containsKey(device);
                found.add(new Finding(device,
                        never ? device + " has never backed up (added " + ago + " days ago)"
                                : device + " has not backed up for " + ago + " days",
                        (never ? "Device " + device + " was added on " + when(from) + " and has not sent a backup since."
                                : "The last backup of " + device + " was on " + when(from) + ", " + ago + " days ago (the"
                                        + " limit is " + days + " days).")
                                + "\n\nCheck that the machine is on, connected, and that its backup job (restic or"
                                + " rclone to this NAS) still runs; the device's page shows its recent logins and errors."));
            });
            return found;
        });
    }

    /** Enabled copies whose last good sync (or, never synced, their creation) is older than the limit. */
    public static Condition copyBehind(Targets targets, Settings settings) {
        return Condition.of(COPY_BEHIND, now -> {
            int days = settings.get(COPY_DAYS_KEY).map(Integer::parseInt).orElse(DEFAULT_COPY_DAYS);
            List<Finding> found = new ArrayList<>();
            for (Target t : targets.list()) {
                Instant good = t.lastGoodSync() == null ? t.created() : t.lastGoodSync();
                if (!t.enabled() || days <= 0 || !good.plus(Duration.ofDays(days)).isBefore(now)) {
                    continue;
                }
                String lastError = t.lastSync() != null && t.lastSync().error() != null
                        ? "\n\nThe last sync failed: " + t.lastSync().error() : "";
                found.add(new Finding(t.name(),
                        "Copy " + t.name() + " is " + Duration.between(good, now).toDays() + " days behind",
                        (t.lastGoodSync() == null ? "The copy '" + t.name() + "' (" + t.location() + ") has never been synced"
                                + " since it was added on " + when(good) + "."
                                : "The copy '" + t.name() + "' (" + t.location() + ") was last synced completely on "
                                        + when(good) + ".")
                                + lastError + "\n\nOpen Copies in the panel, test its connection and sync it now."));
            }
            return found;
        });
    }

    /**
     * The file system of the data directory (repository and catalog) above {@value #DISK_LIMIT} full;
     * once reported, it stays reported until below {@value #DISK_CLEAR}, so a disk that hovers around
     * the limit does not send a message and a "Resolved" every hour.
     */
    public static Condition diskFull(Path dataDir, Incidents incidents) {
        return diskFull(() -> store(dataDir, true), () -> store(dataDir, false), dataDir.toString(), incidents);
    }

    /** As {@link #diskFull(Path, Incidents)} with the sizes given (tests fill no real disk). */
    static Condition diskFull(LongSupplier totalBytes, LongSupplier freeBytes, String where, Incidents incidents) {
        return Condition.of(DISK_FULL, now -> {
            long total = totalBytes.getAsLong();
            long free = freeBytes.getAsLong();
            boolean reported = incidents.open().stream().anyMatch(i -> i.condition().equals(DISK_FULL));
            if (total <= 0 || (double) (total - free) / total <= (reported ? DISK_CLEAR : DISK_LIMIT)) {
                return List.of();
            }
            long percent = Math.round(100.0 * (total - free) / total);
            return List.of(new Finding("disk", "The NAS disk is " + percent + " % full",
                    "The disk holding " + where + " is " + percent + " % full: " + gb(free) + " free of " + gb(total)
                            + ". When it is full, backups stop.\n\nRemove old snapshots (forget and prune), move other"
                            + " files off the disk, or give the NAS a bigger disk."));
        });
    }

    private static long store(Path dir, boolean total) {
        try {
            FileStore fs = Files.getFileStore(dir);
            return total ? fs.getTotalSpace() : fs.getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + dir, e);
        }
    }

    /** Damage a scrub found on a copy (subject: the copy); the scrub's part supplies the findings. */
    public static Condition scrubDamage(Function<Instant, List<Finding>> found) {
        return Condition.of(SCRUB_DAMAGE, found);
    }

    /** Damage no copy could repair (subject: the copy or the snapshot); the repair's part supplies the findings. */
    public static Condition damageUnrepaired(Function<Instant, List<Finding>> found) {
        return Condition.of(DAMAGE_UNREPAIRED, found);
    }

    /** A paired peer unreachable for N days (subject: the peer); the pairing part supplies the findings. */
    public static Condition peerUnreachable(Function<Instant, List<Finding>> found) {
        return Condition.of(PEER_UNREACHABLE, found);
    }

    private static String when(Instant t) {
        return t == null ? "an unknown date" : DAY.format(t.atZone(ZoneId.systemDefault()));
    }

    private static String gb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
