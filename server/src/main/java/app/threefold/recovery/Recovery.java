package app.threefold.recovery;

import app.threefold.ThreefoldException.Kind;
import app.threefold.backend.Backend;
import app.threefold.backend.LocalBackend;
import app.threefold.backend.Location;
import app.threefold.backend.NotARepositoryException;
import app.threefold.catalog.Catalog;
import app.threefold.crypto.WrongPasswordException;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.index.MemoryIndex;
import app.threefold.mirror.BucketSettings;
import app.threefold.mirror.Seed;
import app.threefold.mirror.SyncProgress;
import app.threefold.mirror.SyncResult;
import app.threefold.mirror.Target;
import app.threefold.mirror.Targets;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.snapshot.CatalogSnapshots;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.SnapshotRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds an appliance from one of its copies and the recovery kit's password ("the NAS died"):
 * the copy's repository is fetched into the fresh data directory's {@code repository} (a sync the
 * other way, {@link Seed}), given a new appliance key, and the catalog is rebuilt from the
 * repository alone — the blob index and stored space from its index files, one row per snapshot
 * with its numbers worked out from its trees, and a device account (with no password or key) for
 * every device whose snapshots came over SFTP. Folders of the NAS (local sources, command-line
 * backups) keep their snapshots under their names; their source settings are not in the
 * repository. The copy becomes a target, so mirroring carries on where it was.
 */
public final class Recovery {

    private static final Logger log = LoggerFactory.getLogger(Recovery.class);
    static final String MARKER = "recovering";

    /** Told how far the recovery is; called from the recovering thread (copy progress from the copy's). */
    public interface Listener {
        void phase(String text);

        default void copying(SyncProgress progress) {
        }

        default void snapshots(int done, int total) {
        }

        Listener NONE = text -> { };
    }

    /**
     * @param devices devices whose accounts came back, without a password or key
     * @param folders hostnames of the NAS's own folders (local sources, {@code threefold backup})
     */
    public record Summary(String repositoryId, long objects, long bytes, int snapshots, List<String> devices,
                          List<String> folders, Target copy, Duration took) {
    }

    /** The engine of the recovered repository (for the caller to install or close) and what was done. */
    public record Outcome(Engine engine, Summary summary) {
    }

    private final Path dataDir;
    private final Catalog catalog;
    private final Devices devices;
    private final Targets targets;
    private final Clock clock;

    public Recovery(Path dataDir, Catalog catalog, Devices devices, Targets targets, Clock clock) {
        this.dataDir = Objects.requireNonNull(dataDir);
        this.catalog = Objects.requireNonNull(catalog);
        this.devices = Objects.requireNonNull(devices);
        this.targets = Objects.requireNonNull(targets);
        this.clock = Objects.requireNonNull(clock);
    }

    /**
     * Recovers from {@code from}, opened with {@code password} (the recovery kit's).
     *
     * @throws RecoveryException for a data directory or catalog that already holds an appliance, a
     *                           password that opens no key of the copy, or a location with no repository
     */
    public Outcome recover(Location from, char[] password, String actor, Listener listener) throws IOException {
        long started = System.nanoTime();
        boolean resuming = refuseUnlessFresh();
        listener.phase("Opening the copy at " + from.display());
        String repositoryId;
        SyncResult copied;
        try (Backend copy = open(from)) {
            repositoryId = openWith(copy, from, password);
            listener.phase("Copying repository " + repositoryId.substring(0, 8) + " from " + from.display() + " to "
                    + Engine.repositoryDir(dataDir));
            if (!resuming) {
                begin(dataDir, from);
            }
            copied = Seed.copy(copy, localRepository(), listener::copying);
        }
        listener.phase("Opening the copied repository and reading its index into the catalog");
        Engine engine = Engine.adopt(dataDir, password, catalog, clock);
        try {
            Summary summary = rebuild(engine, from, repositoryId, copied, actor, listener, started);
            // Last: the key file is what makes the directory an appliance; before it, a rerun resumes.
            engine.writeApplianceKey(dataDir);
            Files.deleteIfExists(marker(dataDir));
            log.info("Recovered {} snapshots ({} devices, {} folders) of repository {} from {} in {} s",
                    summary.snapshots(), summary.devices().size(), summary.folders().size(), repositoryId, from.display(),
                    summary.took().toSeconds());
            return new Outcome(engine, summary);
        } catch (IOException | RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /**
     * Opens the copy with the password and returns its repository id, creating nothing anywhere:
     * what a command checks before it makes the data directory, so a wrong password or a mistyped
     * place leaves nothing to clear away before the retry.
     *
     * @throws RecoveryException for a password that opens no key of the copy, or a place with no repository
     */
    public static String check(Location from, char[] password) throws IOException {
        try (Backend copy = open(from)) {
            return openWith(copy, from, password);
        }
    }

    private static String openWith(Backend copy, Location from, char[] password) throws IOException {
        try {
            return Repository.open(copy, password, new MemoryIndex(), new SecureRandom()).id().hex();
        } catch (WrongPasswordException e) {
            throw new RecoveryException(Kind.REFUSED, "The password does not open the repository at " + from.display()
                    + ". Use the repository password from the recovery kit (the one chosen when the appliance was set"
                    + " up); nothing was copied.", e);
        } catch (RepositoryException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                throw notARepository(from, e.getMessage(), e);
            }
            throw e;
        }
    }

    /**
     * Written before the first object is fetched and removed after {@code appliance.key}: a data
     * directory holding it is a recovery cut off, which a rerun continues.
     */
    public static Path marker(Path dataDir) {
        return dataDir.resolve(MARKER);
    }

    /**
     * Marks {@code dataDir} (made if need be) as the place of a recovery from {@code from}: a command
     * calls it before it creates anything else there, so a run killed at any point can be rerun.
     */
    public static void begin(Path dataDir, Location from) throws IOException {
        Files.createDirectories(dataDir);
        if (!Files.exists(marker(dataDir))) {
            Files.writeString(marker(dataDir), "a recovery from " + from.display() + " started here\n");
        }
    }

    /** {@link #recover} from a bucket, with its settings as typed (the setup wizard's form). */
    public Outcome recoverFromBucket(BucketSettings bucket, char[] password, String actor, Listener listener) throws IOException {
        return recover(new Location.S3(bucket.settings()), password, actor, listener);
    }

    /** {@link #recover} from a folder: a USB disk's copy, or a copy on another share. */
    public Outcome recoverFromFolder(Path folder, char[] password, String actor, Listener listener) throws IOException {
        if (!folder.isAbsolute()) {
            throw new RecoveryException(Kind.BAD_REQUEST, "Give the copy's folder as an absolute path, e.g. /media/usb/threefold.");
        }
        return recover(new Location.Folder(folder), password, actor, listener);
    }

    private Summary rebuild(Engine engine, Location from, String repositoryId, SyncResult copied, String actor,
                            Listener listener, long started) throws IOException {
        List<Snapshot> all = engine.snapshots().list(null);
        listener.phase("Rebuilding the catalog: " + all.size() + " snapshots");
        SnapshotHistory history = new SnapshotHistory(engine.files().trees(), engine.repository().index());
        CatalogSnapshots rows = engine.catalogSnapshots();
        TreeSet<String> sftp = new TreeSet<>();
        TreeSet<String> folders = new TreeSet<>();
        int done = 0;
        for (Snapshot s : all) {
            SnapshotRow.Counts counts = history.next(s);
            rows.add(s, counts);
            if (s.tags().contains("recovered")) {
                rows.markRecovered(s);
            }
            // An SFTP session's snapshot is of "/" by the device itself (Overlay's commit); a folder's names its path.
            if (s.paths().equals(List.of("/")) && s.hostname().equals(s.username())) {
                sftp.add(s.hostname());
            } else {
                folders.add(s.hostname());
            }
            listener.snapshots(++done, all.size());
        }
        folders.removeAll(sftp);
        List<String> recovered = new ArrayList<>();
        for (String device : sftp) {
            // A run cut off may have made the account already; it came back all the same.
            if (devices.recover(device, actor) || devices.names().contains(device)) {
                recovered.add(device);
            }
        }
        listener.phase("Registering " + from.display() + " as a copy, so mirroring carries on");
        Target target = registered(from, actor);
        return new Summary(repositoryId, copied.objectsSent() + copied.alreadyThere(), copied.bytesSent(), all.size(),
                List.copyOf(recovered), List.copyOf(folders), target, Duration.ofNanos(System.nanoTime() - started));
    }

    /** The copy as a target: the one a recovery cut off registered already, or a new one. */
    private Target registered(Location from, String actor) {
        String place = from instanceof Location.Folder folder ? folder.path().toAbsolutePath().toString() : from.display();
        for (Target t : targets.list()) {
            if (t.location().equals(place)) {
                return t;
            }
        }
        return switch (from) {
            case Location.S3 s3 -> targets.addS3(copyName(), s3.settings(), Target.NIGHTLY, 0, actor);
            case Location.Folder folder -> targets.addFolder(copyName(), folder.path().toAbsolutePath(), Target.NIGHTLY, 0, actor);
            // A friend's NAS or another SFTP server: off-site like a bucket.
            case Location.Sftp server -> targets.addSftp(copyName(), server.settings(), true, Target.NIGHTLY, 0, actor);
        };
    }

    /** The copy's name among the targets: what it was called is not in the repository. */
    private String copyName() {
        java.util.Set<String> taken = new java.util.HashSet<>();
        targets.list().forEach(t -> taken.add(t.name()));
        String name = "Recovered copy";
        for (int n = 2; taken.contains(name); n++) {
            name = "Recovered copy " + n;
        }
        return name;
    }

    private static Backend open(Location from) throws IOException {
        try {
            return from.open();
        } catch (NotARepositoryException e) {
            throw notARepository(from, e.getMessage(), e);
        }
    }

    private static RecoveryException notARepository(Location from, String why, Throwable cause) {
        return new RecoveryException(Kind.NOT_FOUND, from.display() + " holds no repository (" + why + "). Give the"
                + " copy's exact place: the bucket and the folder (prefix) in it, or the folder on the disk that holds"
                + " config, data, index, keys and snapshots.", cause);
    }

    private LocalBackend localRepository() throws IOException {
        Path repo = Engine.repositoryDir(dataDir);
        // A recovery cut off before: the objects already fetched stay and only the rest is fetched.
        return Files.isRegularFile(repo.resolve("config")) ? LocalBackend.open(repo) : LocalBackend.create(repo);
    }

    /**
     * An appliance that has a repository, snapshots or devices is not recovered over. A data
     * directory with the {@link #marker} and no appliance key is a recovery cut off: what it fetched
     * and rebuilt stays (rebuilding is idempotent) and the rest is done. A repository folder without
     * either is another repository, which the copy's full listing then refuses.
     *
     * @return whether this run resumes a recovery cut off
     */
    private boolean refuseUnlessFresh() {
        boolean applianceKey = Files.exists(Engine.applianceKey(dataDir));
        if (!applianceKey && Files.exists(marker(dataDir))) {
            return true;
        }
        if (applianceKey || !devices.names().isEmpty()
                || !new CatalogSnapshots(catalog.jdbi()).latestPerDevice().isEmpty()) {
            throw new RecoveryException(Kind.CONFLICT, dataDir + " already holds an appliance (a repository, devices or"
                    + " snapshots); recovering into it would mix two appliances. Recover into a new, empty data directory.");
        }
        return false;
    }
}
