package app.threefold.repository;

import app.threefold.ThreefoldException;
import app.threefold.backend.Backend;
import app.threefold.backend.FileType;
import app.threefold.backend.Handle;
import app.threefold.crypto.AuthenticationFailedException;
import app.threefold.crypto.Crypto;
import app.threefold.crypto.KeyFile;
import app.threefold.crypto.MasterKey;
import app.threefold.crypto.WrongPasswordException;
import app.threefold.format.BlobType;
import app.threefold.format.Compression;
import app.threefold.format.FormatException;
import app.threefold.format.Id;
import app.threefold.index.BlobIndex;
import app.threefold.index.BlobLocation;
import app.threefold.index.IndexFile;
import app.threefold.pack.PackEntry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An open repository in restic's format version 2: the backend it lives on, its master key,
 * its config and a blob index. Loads and stores the encrypted objects; knows nothing of trees,
 * snapshots or ingest. Thread-safe.
 */
public final class Repository {
    /** An irreducible polynomial restic accepts. Threefold's chunker does not use it (see docs/repository.md). */
    static final String CHUNKER_POLYNOMIAL = "3da3358b4dc173";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Repository.class);

    private final Backend backend;
    private final MasterKey key;
    private final Crypto crypto;
    private final Compression compression;
    private final Id id;
    private final int version;
    private final BlobIndex index;
    /** Shared by every saver of this repository, so that they find each other's blobs in flight. */
    private final PackWriter packs;
    /**
     * Plaintexts of snapshot files already read. They are small and never change (each is named by
     * the hash of its bytes), and every backup and SFTP session lists them all to find its parent:
     * without this, a year of hourly snapshots of a few devices means decrypting tens of thousands of
     * files at every login.
     */
    private final Map<Id, byte[]> snapshotFiles = new ConcurrentHashMap<>();
    /** The locks this process holds on the repository through this object, for {@link RepositoryLock#releaseAll}. */
    private final java.util.Set<RepositoryLock> heldLocks = ConcurrentHashMap.newKeySet();
    /** This process's writers and its prune, kept apart (see {@link MaintenanceGate}). */
    private final MaintenanceGate gate = new MaintenanceGate();

    private Repository(Backend backend, MasterKey key, Id id, int version, BlobIndex index, SecureRandom random) {
        this.backend = backend;
        this.key = key;
        this.crypto = new Crypto(key, random);
        this.compression = new Compression(Compression.DEFAULT_LEVEL);
        this.id = id;
        this.version = version;
        this.index = index;
        this.packs = new PackWriter(this, BlobSaver.DEFAULT_PACK_SIZE);
    }

    java.util.Set<RepositoryLock> heldLocks() {
        return heldLocks;
    }

    MaintenanceGate gate() {
        return gate;
    }

    /**
     * Waits for the packs this process is uploading, then writes an index file for every pack
     * uploaded that no index file names yet: afterwards every pack of this process in the
     * repository is indexed, so a prune that holds the exclusive lock may take any pack no index
     * names for a leftover of a crash.
     */
    public void settleUploads() throws IOException {
        packs.settle();
    }

    /**
     * Writes a new repository's config and first key into an empty backend.
     * Fails if the backend already holds a config.
     */
    public static Repository create(Backend backend, char[] password, KeyFile.Params params, BlobIndex index,
                                    SecureRandom random, Clock clock) throws IOException {
        if (backend.exists(Handle.CONFIG)) {
            throw new RepositoryException(ThreefoldException.Kind.CONFLICT, "a repository already exists at " + backend.location()
                    + "; open it instead of creating one");
        }
        MasterKey key = MasterKey.random(random);
        byte[] idBytes = new byte[Id.LENGTH];
        random.nextBytes(idBytes);
        Id id = Id.of(idBytes);
        Repository repo = new Repository(backend, key, id, 2, index, random);
        repo.addKey(password, params, clock);
        ObjectNode config = JSON.createObjectNode();
        config.put("version", 2);
        config.put("id", id.hex());
        config.put("chunker_polynomial", CHUNKER_POLYNOMIAL);
        // The config stays uncompressed: a reader must parse it before it knows the format version.
        backend.save(Handle.CONFIG, repo.crypto.seal(JSON.writeValueAsBytes(config)));
        return repo;
    }

    /** Opens a repository with any of its keys' passwords. */
    public static Repository open(Backend backend, char[] password, BlobIndex index, SecureRandom random) throws IOException {
        if (!backend.exists(Handle.CONFIG)) {
            throw new RepositoryException(ThreefoldException.Kind.NOT_FOUND, "there is no repository at " + backend.location()
                    + " (no config file); check the location");
        }
        List<Handle> keys = new ArrayList<>();
        backend.list(FileType.KEY, info -> keys.add(info.handle()));
        if (keys.isEmpty()) {
            throw new RepositoryException(ThreefoldException.Kind.DAMAGED, "the repository at " + backend.location() + " has no key files; it cannot be opened");
        }
        // Cheap key files first: the appliance's own key uses light scrypt parameters (its password
        // is 256 random bits), so the appliance does not pay for the recovery key's KDF at every start.
        List<byte[]> files = new ArrayList<>();
        for (Handle h : keys) {
            files.add(backend.readAll(h));
        }
        files.sort(java.util.Comparator.comparingLong(Repository::kdfCost));
        for (byte[] file : files) {
            MasterKey key;
            try {
                key = KeyFile.open(file, password);
            } catch (WrongPasswordException e) {
                continue;
            }
            byte[] configBytes;
            try {
                configBytes = new Crypto(key, random).open(backend.readAll(Handle.CONFIG));
            } catch (AuthenticationFailedException e) {
                throw new FormatException("the config file of " + backend.location() + " is damaged (MAC mismatch)", e);
            }
            JsonNode config = JSON.readTree(configBytes);
            int version = config.path("version").asInt(0);
            if (version != 1 && version != 2) {
                throw new RepositoryException(ThreefoldException.Kind.REFUSED, "the repository at " + backend.location() + " has format version "
                        + version + "; Threefold reads versions 1 and 2");
            }
            return new Repository(backend, key, Id.parse(config.path("id").asText()), version, index, random);
        }
        throw new WrongPasswordException("the password does not open any key of the repository at "
                + backend.location() + "; check the password file");
    }

    /**
     * Opens a copy of this repository (a mirror's bucket or folder) with this repository's master
     * key, reading everything, from the config on, from the copy itself and indexing it into
     * {@code copyIndex} from the copy's own index files. So what reads through the result (a
     * restore test) proves the copy, not this repository.
     *
     * @throws RepositoryException if the copy has no config, or its config is not this repository's
     */
    public Repository openCopy(Backend copy, BlobIndex copyIndex) throws IOException {
        if (!copy.exists(Handle.CONFIG)) {
            throw new RepositoryException(ThreefoldException.Kind.UNAVAILABLE, "the copy at " + copy.location() + " holds no repository (no config file);"
                    + " sync it first, or check that the disk is mounted and the location is right");
        }
        byte[] configBytes;
        try {
            configBytes = crypto.open(copy.readAll(Handle.CONFIG));
        } catch (AuthenticationFailedException e) {
            throw new RepositoryException(ThreefoldException.Kind.REFUSED, "the copy at " + copy.location() + " holds another repository (its config does"
                    + " not open with this repository's key, or it is damaged); point the copy at its own folder", e);
        }
        JsonNode config = JSON.readTree(configBytes);
        Id copyId = Id.parse(config.path("id").asText());
        if (!copyId.equals(id)) {
            throw new RepositoryException(ThreefoldException.Kind.REFUSED, "the copy at " + copy.location() + " holds another repository (id "
                    + copyId.shortHex() + ", not " + id.shortHex() + "); point the copy at its own folder");
        }
        Repository opened = new Repository(copy, key, id, config.path("version").asInt(version), copyIndex,
                new SecureRandom());
        opened.syncIndex();
        return opened;
    }

    private static long kdfCost(byte[] keyFile) {
        try {
            JsonNode k = JSON.readTree(keyFile);
            return k.path("N").asLong(Long.MAX_VALUE / 64) * Math.max(1, k.path("r").asLong(1));
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Adds a key file so that {@code password} opens this repository too. Returns its id. */
    public Id addKey(char[] password, KeyFile.Params params, Clock clock) throws IOException {
        byte[] file = KeyFile.create(key, password, "threefold", hostname(), clock.instant(), params, new SecureRandom());
        Id keyId = Id.hash(file);
        backend.save(new Handle(FileType.KEY, keyId.hex()), file);
        return keyId;
    }

    public Backend backend() {
        return backend;
    }

    public Crypto crypto() {
        return crypto;
    }

    public Compression compression() {
        return compression;
    }

    public BlobIndex index() {
        return index;
    }

    /** The packs being filled and uploaded, and the blobs in flight, of every writer of this repository. */
    PackWriter packs() {
        return packs;
    }

    /** The repository id from its config. */
    public Id id() {
        return id;
    }

    public int version() {
        return version;
    }

    /**
     * A secret derived from the master key to key the content-defined chunker, so that chunk
     * boundaries (and so blob sizes) do not reveal which known files a repository holds.
     */
    public byte[] chunkerKey() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.encryption(), "HmacSHA256"));
            return mac.doFinal("threefold chunker gear table v1".getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    /** Reads, verifies (storage id = SHA-256 of the file) and decrypts an index, snapshot or lock file. */
    public byte[] loadUnpacked(FileType type, Id fileId) throws IOException {
        byte[] raw = backend.readAll(new Handle(type, fileId.hex()));
        if (!Id.hash(raw).equals(fileId)) {
            throw new FormatException(type.folder() + "/" + fileId.shortHex() + " does not match its name: the file is damaged");
        }
        try {
            return Compression.decodeUnpacked(crypto.open(raw));
        } catch (AuthenticationFailedException e) {
            throw new FormatException(type.folder() + "/" + fileId.shortHex() + " is damaged (MAC mismatch)", e);
        }
    }

    /**
     * A snapshot file's plaintext, read from the backend only the first time. Use
     * {@link #loadUnpacked} where the file as it is on disk now matters (check, restore tests).
     */
    public byte[] loadSnapshotFile(Id fileId) throws IOException {
        byte[] known = snapshotFiles.get(fileId);
        if (known == null) {
            known = loadUnpacked(FileType.SNAPSHOT, fileId);
            snapshotFiles.put(fileId, known);
        }
        return known.clone();
    }

    /** Encrypts and stores an index, snapshot or lock file, compressed when the format allows. */
    public Id saveUnpacked(FileType type, byte[] json) throws IOException {
        byte[] plain = version >= 2 ? compression.encodeUnpacked(json) : json;
        byte[] sealed = crypto.seal(plain);
        Id fileId = Id.hash(sealed);
        Handle h = new Handle(type, fileId.hex());
        if (!backend.exists(h)) {
            backend.save(h, sealed);
        }
        return fileId;
    }

    /** Every stored object of a type. */
    public List<Id> list(FileType type) throws IOException {
        List<Id> ids = new ArrayList<>();
        backend.list(type, info -> ids.add(Id.parse(info.handle().name())));
        return ids;
    }

    /** Loads a blob's plaintext and checks it against its id. */
    public byte[] loadBlob(BlobType type, Id blob) throws IOException {
        BlobLocation at = index.find(type, blob).orElseThrow(() -> new FormatException(
                type.json() + " blob " + blob.shortHex() + " is not in the index; the repository may be damaged: run `threefold check`"));
        return loadBlob(blob, at);
    }

    public Optional<BlobLocation> locate(BlobType type, Id blob) {
        return index.find(type, blob);
    }

    /** Loads a blob from a known location and checks MAC and SHA-256. */
    public byte[] loadBlob(Id blob, BlobLocation at) throws IOException {
        byte[] sealed;
        try (InputStream in = backend.open(new Handle(FileType.PACK, at.pack().hex()), at.offset(), at.length())) {
            sealed = in.readNBytes(at.length());
        }
        return decodeBlob(blob, at.pack(), sealed, 0, sealed.length, at.uncompressedLength());
    }

    /**
     * Decrypts, decompresses and verifies one blob's bytes, e.g. from a pack read whole. The MAC
     * proves the bytes were sealed with this repository's key; the SHA-256 proves they are the blob
     * asked for, since the locations come from an index (the catalog's among them) nothing signs.
     */
    public byte[] decodeBlob(Id blob, Id pack, byte[] buf, int off, int len, int uncompressedLength) {
        byte[] plain;
        try {
            plain = crypto.open(buf, off, len);
        } catch (AuthenticationFailedException e) {
            throw new FormatException("blob " + blob.shortHex() + " in pack " + pack.shortHex() + " is damaged (MAC mismatch)", e);
        }
        if (uncompressedLength != 0) {
            plain = Compression.decompress(plain, uncompressedLength);
        }
        if (!Id.hash(plain).equals(blob)) {
            throw new FormatException("blob " + blob.shortHex() + " in pack " + pack.shortHex() + " does not match its id (SHA-256)");
        }
        return plain;
    }

    /**
     * Brings the blob index up to date with the repository's index files: new ones are read; if
     * one the index was built from is gone (another program pruned the repository), the index is
     * rebuilt from scratch, so that dedup never trusts blobs that were deleted. Returns the number
     * of index files read.
     */
    public int syncIndex() throws IOException {
        // Not while this process prunes: half-way through, the index files on disk and the catalog
        // disagree on purpose, and a rebuild then would bring back packs the prune is deleting.
        gate.enterSharedBriefly();
        try {
            return syncIndexNow();
        } finally {
            gate.leaveShared();
        }
    }

    private int syncIndexNow() throws IOException {
        java.util.Set<Id> present = new java.util.HashSet<>(list(FileType.INDEX));
        java.util.Set<Id> known = index.indexFiles();
        if (!present.containsAll(known)) {
            LOG.warn("index files of {} were removed by another program; rebuilding the blob index", backend.location());
            index.clear();
            known = java.util.Set.of();
        }
        int read = 0;
        for (Id file : present) {
            if (!known.contains(file)) {
                index.add(file, IndexFile.decode(loadUnpacked(FileType.INDEX, file)));
                read++;
            }
        }
        return read;
    }

    /**
     * Finds packs that no index file names (a crash between a pack and its index file, or lost
     * index files), reads their headers, adds them to the blob index and, if {@code writeIndexFile},
     * writes an index file for them. Returns the number of packs found. Damaged headers are skipped
     * and reported in the log; `check --read-data` names what they affect.
     */
    public int indexUnindexedPacks(boolean writeIndexFile) throws IOException {
        java.util.Set<Id> indexed = index.packs();
        List<IndexFile.PackRecord> found = new ArrayList<>();
        List<Backend.ObjectInfo> packs = new ArrayList<>();
        backend.list(FileType.PACK, packs::add);
        for (Backend.ObjectInfo info : packs) {
            Id pack = Id.parse(info.handle().name());
            if (indexed.contains(pack)) {
                continue;
            }
            try {
                found.add(new IndexFile.PackRecord(pack, readPackHeader(pack, info.size())));
            } catch (FormatException e) {
                LOG.warn("pack {} is not indexed and its header cannot be read: {}", pack.shortHex(), e.getMessage());
            }
        }
        if (!found.isEmpty()) {
            index.add(writeIndexFile ? saveUnpacked(FileType.INDEX, IndexFile.encode(found, List.of())) : null, found);
        }
        return found.size();
    }

    /** Reads a pack's header: its list of blobs, as the pack itself records it. */
    public List<PackEntry> readPackHeader(Id pack, long size) throws IOException {
        Handle h = new Handle(FileType.PACK, pack.hex());
        int guess = app.threefold.pack.PackHeader.tailGuess(size);
        byte[] tail;
        try (InputStream in = backend.open(h, size - guess, guess)) {
            tail = in.readNBytes(guess);
        }
        int needed = app.threefold.pack.PackHeader.sealedHeaderLength(tail, pack) + 4;
        if (needed > size) {
            throw new FormatException("pack " + pack.shortHex() + " is shorter than the header it claims: it is truncated");
        }
        if (needed > tail.length) {
            try (InputStream in = backend.open(h, size - needed, needed)) {
                tail = in.readNBytes(needed);
            }
        }
        return app.threefold.pack.PackHeader.parse(tail, size, crypto, pack);
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "threefold";
        }
    }

}
