package app.threefold.engine;

import app.threefold.ThreefoldException;
import app.threefold.backend.LocalBackend;
import app.threefold.browse.SnapshotFiles;
import app.threefold.catalog.Catalog;
import app.threefold.chunker.ChunkerParams;
import app.threefold.crypto.KeyFile;
import app.threefold.index.CatalogIndex;
import app.threefold.ingest.Backups;
import app.threefold.ingest.CatalogContentDigests;
import app.threefold.ingest.FolderSource;
import app.threefold.ingest.IngestSession;
import app.threefold.repository.Repository;
import app.threefold.repository.RepositoryException;
import app.threefold.repository.RepositoryLock;
import app.threefold.snapshot.CatalogSnapshots;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.SnapshotRow;
import app.threefold.snapshot.Snapshots;
import java.io.IOException;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's repository with its catalog: the repository in {@code DIR/repository}, opened
 * with the appliance's own key (its password in {@code DIR/appliance.key}, owner-only), the blob
 * index and file digests in PostgreSQL, and two worker pools sized to the cores: one for what a
 * person waits on (restores, restore tests) and one, at background priority, for storing.
 */
public final class Engine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    static final String REPOSITORY = "repository";
    static final String APPLIANCE_KEY = "appliance.key";
    /** The appliance key's password is 256 random bits; stretching it buys nothing but start-up time. */
    static final KeyFile.Params APPLIANCE_KDF = new KeyFile.Params(1024, 8, 1);

    private final Repository repository;
    private final ExecutorService workers = newWorkers("engine", Thread.NORM_PRIORITY);
    private final ExecutorService storeWorkers = newWorkers("store", Thread.MIN_PRIORITY);
    private final CatalogContentDigests digests;
    private final SnapshotFiles files;
    private final CatalogSnapshots catalogSnapshots;
    private final CatalogIndex catalogIndex;
    private final Clock clock;
    /** The password of the key {@link #adopt} added, until {@link #writeApplianceKey} keeps it. */
    private char[] adoptedKey;

    private Engine(Repository repository, Catalog catalog, Clock clock) {
        this.repository = repository;
        this.digests = new CatalogContentDigests(catalog.jdbi());
        this.files = new SnapshotFiles(repository);
        this.catalogSnapshots = new CatalogSnapshots(catalog.jdbi());
        this.catalogIndex = new CatalogIndex(catalog.jdbi());
        this.clock = clock;
    }

    /** Where an appliance keeps its repository. */
    public static Path repositoryDir(Path dataDir) {
        return dataDir.resolve(REPOSITORY);
    }

    /** The file with the appliance key's password: a second way into the repository, owner-only. */
    public static Path applianceKey(Path dataDir) {
        return dataDir.resolve(APPLIANCE_KEY);
    }

    /** Whether {@code dataDir} holds an initialised repository. */
    public static boolean initialised(Path dataDir) {
        return Files.exists(repositoryDir(dataDir).resolve("config")) && Files.exists(dataDir.resolve(APPLIANCE_KEY));
    }

    /**
     * Creates the repository: a random appliance key kept in the data dir, and a recovery key
     * opened by {@code recoveryPassword} (the one on the recovery kit, which also opens it with
     * plain restic).
     */
    public static Engine create(Path dataDir, char[] recoveryPassword, Catalog catalog, Clock clock) throws IOException {
        if (recoveryPassword.length < 8) {
            throw new RepositoryException(ThreefoldException.Kind.REFUSED, "the repository password must have at least 8 characters");
        }
        Path keyFile = dataDir.resolve(APPLIANCE_KEY);
        if (Files.exists(keyFile)) {
            throw new RepositoryException(ThreefoldException.Kind.CONFLICT, keyFile + " exists: this data dir already has a repository");
        }
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        char[] appliancePassword = Base64.getEncoder().withoutPadding().encodeToString(secret).toCharArray();
        Repository repo = Repository.create(LocalBackend.create(repositoryDir(dataDir)), appliancePassword,
                APPLIANCE_KDF, new CatalogIndex(catalog.jdbi()), random, clock);
        repo.addKey(recoveryPassword, KeyFile.Params.DEFAULT, clock);
        Files.createDirectories(dataDir);
        writeKeyFile(keyFile, appliancePassword);
        return new Engine(repo, catalog, clock);
    }

    /**
     * Takes over a repository copied from an off-site copy into {@code DIR/repository} (disaster
     * recovery): opens it with the recovery password, gives it a new appliance key (the old one's
     * password died with the old NAS), and reads its index files into the catalog. The key's
     * password is not written to {@code DIR/appliance.key} yet: that file is what makes a data
     * directory an appliance, so the caller writes it with {@link #writeApplianceKey} once the
     * catalog is rebuilt; a recovery cut off before then leaves a directory a rerun resumes.
     *
     * @throws app.threefold.crypto.WrongPasswordException if {@code recoveryPassword} opens none of its keys
     */
    public static Engine adopt(Path dataDir, char[] recoveryPassword, Catalog catalog, Clock clock) throws IOException {
        Path keyFile = dataDir.resolve(APPLIANCE_KEY);
        if (Files.exists(keyFile)) {
            throw new RepositoryException(ThreefoldException.Kind.CONFLICT, keyFile + " exists: this data dir already has a repository");
        }
        SecureRandom random = new SecureRandom();
        CatalogIndex index = new CatalogIndex(catalog.jdbi());
        Repository repo = Repository.open(LocalBackend.open(repositoryDir(dataDir)), recoveryPassword, index, random);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        char[] appliancePassword = Base64.getEncoder().withoutPadding().encodeToString(secret).toCharArray();
        repo.addKey(appliancePassword, APPLIANCE_KDF, clock);
        repo.syncIndex();
        repo.indexUnindexedPacks(true);
        Engine engine = new Engine(repo, catalog, clock);
        engine.adoptedKey = appliancePassword;
        return engine;
    }

    /**
     * Writes the password of the key {@link #adopt} added to {@code DIR/appliance.key}: the last step
     * of a recovery, after which the data directory is an appliance {@link #open} opens.
     */
    public void writeApplianceKey(Path dataDir) throws IOException {
        if (adoptedKey == null) {
            throw new IllegalStateException("only an adopted repository has an appliance key still to write");
        }
        writeKeyFile(dataDir.resolve(APPLIANCE_KEY), adoptedKey);
        adoptedKey = null;
    }

    /**
     * Owner-only from its first byte (a temp file created 0600), on disk before it gets its name,
     * and renamed into place: a crash leaves either no key file or a whole one, never an empty
     * file that would make the directory look set up with a password that opens nothing.
     */
    private static void writeKeyFile(Path keyFile, char[] password) throws IOException {
        Path temp = keyFile.resolveSibling(keyFile.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            out.write(StandardCharsets.US_ASCII.encode(CharBuffer.wrap(password)));
            out.force(true);
        }
        try {
            Files.move(temp, keyFile, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try (FileChannel dir = FileChannel.open(keyFile.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Opens the appliance's repository; a catalog that has no index yet is filled from the index files. */
    public static Engine open(Path dataDir, Catalog catalog, Clock clock) throws IOException {
        Path keyFile = dataDir.resolve(APPLIANCE_KEY);
        if (!initialised(dataDir)) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "there is no repository in " + dataDir + "; run `threefold init` or the setup wizard first");
        }
        char[] password = Files.readString(keyFile, StandardCharsets.US_ASCII).trim().toCharArray();
        CatalogIndex index = new CatalogIndex(catalog.jdbi());
        Repository repo = Repository.open(LocalBackend.open(repositoryDir(dataDir)), password, index, new SecureRandom());
        // A run killed while it held the repository left its lock, which would make restic's check and prune refuse.
        int deadLocks = RepositoryLock.removeDead(repo, clock);
        if (deadLocks > 0) {
            log.warn("removed {} lock(s) left in {} by processes that are gone", deadLocks, repo.backend().location());
        }
        int files = repo.syncIndex();
        if (files > 0) {
            log.info("read {} index files of {} into the catalog", files, repo.backend().location());
        }
        int orphans = repo.indexUnindexedPacks(true);
        if (orphans > 0) {
            log.warn("{} packs were named by no index file (an interrupted backup?); indexed them from their headers", orphans);
        }
        return new Engine(repo, catalog, clock);
    }

    private static ExecutorService newWorkers(String name, int priority) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(priority);
            return t;
        };
        // One more than the cores: a worker waiting for the catalog's dedup answer must not leave a core idle.
        return Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors() + 1, factory);
    }

    public Repository repository() {
        return repository;
    }

    /** The repository's id in hex, as restic prints it (the recovery kit names the repository by it). */
    public String repositoryId() {
        return repository.id().hex();
    }

    /** Reading snapshots' files (browse, download, search, compare), over the engine's one tree cache. */
    public SnapshotFiles files() {
        return files;
    }

    /** For work a person waits on: restores, restore tests. */
    public ExecutorService workers() {
        return workers;
    }

    /**
     * For storing (backups, SFTP uploads): hashing, compressing and encrypting are the bulk of the
     * CPU an appliance spends and nobody watches them happen, so these threads have the lowest
     * priority, which the launcher's flags make nice 19 under {@code serve}: SSH transfers, the web
     * panel and restores keep the cores they need.
     */
    public ExecutorService storeWorkers() {
        return storeWorkers;
    }

    public CatalogContentDigests digests() {
        return digests;
    }

    /**
     * What ingest sessions start from. Each call first brings the catalog's blob index up to date
     * with the repository, so a prune by another program never leaves dedup trusting lost blobs.
     */
    public Backups backups() throws IOException {
        repository.syncIndex();
        return new Backups(repository, storeWorkers, digests, clock, ChunkerParams.DEFAULT);
    }

    /**
     * Snapshots a folder for a device (a name the edge has checked, e.g. with {@code DeviceName}: the
     * engine sits below the people layer) and records the snapshot's summary in the catalog.
     */
    public IngestSession.Result backupFolder(String device, Path folder) throws IOException {
        return backupFolder(device, folder, FolderSource.Progress.NONE);
    }

    /** As {@link #backupFolder(String, Path)}, telling {@code progress} after each file. */
    public IngestSession.Result backupFolder(String device, Path folder, FolderSource.Progress progress) throws IOException {
        IngestSession.Result result = backups().backupFolder(device, folder, progress);
        recordSnapshot(result.snapshot(), result);
        return result;
    }

    /** Adds a snapshot's summary row to the catalog (the snapshot file stays the truth). */
    public void recordSnapshot(Snapshot s, IngestSession.Result result) {
        var st = result.stats();
        catalogSnapshots.add(s, new SnapshotRow.Counts(st.files(), st.bytesTotal(), st.bytesAdded(), st.filesNew(),
                st.filesChanged(), st.filesUnchanged(), st.filesRemoved()));
    }

    /** The catalog's snapshot summaries. */
    public CatalogSnapshots catalogSnapshots() {
        return catalogSnapshots;
    }

    /** The catalog's blob index of the repository (a prune changes it beside the repository). */
    public CatalogIndex catalogIndex() {
        return catalogIndex;
    }

    /** Bytes of all packs in the repository, after dedup and compression (from the catalog). */
    public long storedBytes() {
        return catalogIndex.storedBytes();
    }

    public Snapshots snapshots() {
        return new Snapshots(repository);
    }

    /**
     * Stops the worker pools and releases the repository locks of work that has not ended, so
     * that no lock of this process is left for restic to trip over.
     */
    @Override
    public void close() {
        workers.shutdown();
        storeWorkers.shutdown();
        try {
            int released = RepositoryLock.releaseAll(repository);
            if (released > 0) {
                log.warn("released {} repository lock(s) of work that had not ended", released);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("removing this process's lock files from " + repository.backend().location()
                    + " failed; remove them with `restic unlock` once Threefold has stopped", e);
        }
    }
}
