package app.threefold.peer;

import app.threefold.ThreefoldException.Kind;
import app.threefold.audit.AuditLog;
import app.threefold.device.AuthorizedKey;
import app.threefold.device.DeviceException;
import app.threefold.peer.PairingMessages.Request;
import app.threefold.peer.PairingMessages.Welcome;
import app.threefold.peer.PairingRefusedException.Reason;
import app.threefold.settings.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of pairing (B in docs/peers.md): invites with one-time tokens (only their
 * SHA-256 is kept), the guests they became (an SFTP account each, key only, confined to
 * {@code DATADIR/guests/<user>/}), the space each uses and the deletions they asked for, carried
 * out after the grace period. The one owner of {@code peer_invites}, {@code peer_guests} and
 * {@code peer_deletions}.
 */
public final class Guests {
    /** How long an invite's code works unless asked otherwise. */
    public static final Duration INVITE_VALIDITY = Duration.ofDays(7);
    /** Days between a guest's delete and its effect unless the owner set otherwise. */
    public static final int DEFAULT_GRACE_DAYS = 30;
    /** Days without a login after which the panel warns about a guest unless the owner set otherwise. */
    public static final int DEFAULT_WARN_DAYS = 7;
    static final String GRACE_KEY = "peers.grace-days";
    static final String WARN_KEY = "peers.warn-days";
    private static final Pattern USER = Pattern.compile("guest-[0-9a-f]{8}");
    private static final String LOCKS = "locks/";
    private static final Logger log = LoggerFactory.getLogger(Guests.class);

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Settings settings;
    private final Path guestsDir;
    private final Clock clock;
    private final SecureRandom random;
    private final Supplier<String> hostKey;
    /** Bytes in each guest's folder: counted once from the disk, then kept up to date by every write here. */
    private final Map<String, AtomicLong> usage = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> folderLocks = new ConcurrentHashMap<>();
    /** Told the user name of each guest unpaired here: the SFTP server ends its connections. */
    private final List<Consumer<String>> unpairedListeners = new CopyOnWriteArrayList<>();

    /**
     * @param hostKey the fingerprint of this appliance's SFTP host key ({@code SHA256:…}), put in every code
     */
    public Guests(Jdbi jdbi, AuditLog audit, Settings settings, Path dataDir, Clock clock, SecureRandom random,
            Supplier<String> hostKey) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.audit = Objects.requireNonNull(audit);
        this.settings = Objects.requireNonNull(settings);
        this.guestsDir = dataDir.toAbsolutePath().normalize().resolve("guests");
        this.clock = Objects.requireNonNull(clock);
        this.random = Objects.requireNonNull(random);
        this.hostKey = Objects.requireNonNull(hostKey);
    }

    /** Whether {@code user} has the shape of a guest account's name (the SSH server routes by it). */
    public static boolean guestName(String user) {
        return user != null && USER.matcher(user).matches();
    }

    // ---------------------------------------------------------------- invites

    /**
     * Makes a one-time invite. The code holds the token; it is shown once and cannot be shown again.
     *
     * @param host  the address the guest will reach this appliance at (DNS name, Tailscale address, …)
     * @param quota bytes the guest may keep here
     */
    public Invite invite(String name, String host, int port, long quota, Duration validity, String actor) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new PeerException(Kind.BAD_REQUEST, "Give this appliance a name of 1–100 characters that your friend will"
                    + " recognise, e.g. \"Sam's NAS\".");
        }
        if (host == null || !host.strip().matches("[A-Za-z0-9.:\\-\\[\\]]{1,253}")) {
            throw new PeerException(Kind.BAD_REQUEST, "Give the address your friend's appliance reaches this one at: a DNS"
                    + " name, a public IP address or a Tailscale/WireGuard address (see docs/peers.md).");
        }
        if (port < 1 || port > 65535) {
            throw new PeerException(Kind.BAD_REQUEST, "The SFTP port is a number from 1 to 65535 (the port forwarded to"
                    + " this appliance's SFTP port).");
        }
        if (quota <= 0) {
            throw new PeerException(Kind.BAD_REQUEST, "Offer some space: a positive number of bytes (e.g. 500 GB).");
        }
        if (validity == null || validity.isNegative() || validity.isZero() || validity.compareTo(Duration.ofDays(90)) > 0) {
            throw new PeerException(Kind.BAD_REQUEST, "A code is valid for up to 90 days.");
        }
        byte[] token = new byte[32];
        random.nextBytes(token);
        Instant now = clock.instant();
        Instant expires = now.plus(validity).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO peer_invites (token_hash, name, host, port, quota, created, expires)
                        VALUES (:hash, :name, :host, :port, :quota, :created, :expires)""")
                .bind("hash", sha256(token)).bind("name", name.strip()).bind("host", host.strip()).bind("port", port)
                .bind("quota", quota).bind("created", Timestamp.from(now)).bind("expires", Timestamp.from(expires)).execute());
        audit.record(actor, "peer.invite", Map.of("name", name.strip(), "host", host.strip(), "port", port, "quota", quota,
                "expires", expires.toString()));
        String code = new PairingCode(host.strip(), port, hostKey.get(), Base64.getUrlEncoder().withoutPadding().encodeToString(token),
                expires, quota, name.strip()).encode();
        return new Invite(code, expires);
    }

    /** The invites whose codes still work (not used, withdrawn or expired), oldest first. */
    public List<Invite.Open> openInvites() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, created, expires, host, port, quota FROM peer_invites
                        WHERE spent IS NULL AND withdrawn IS NULL AND expires > :now ORDER BY created, id""")
                .bind("now", Timestamp.from(clock.instant()))
                .map((rs, ctx) -> new Invite.Open(rs.getLong("id"), rs.getTimestamp("created").toInstant(),
                        rs.getTimestamp("expires").toInstant(), rs.getString("host"), rs.getInt("port"), rs.getLong("quota")))
                .list());
    }

    /**
     * Withdraws an open invite (its code sent to the wrong person, or no longer wanted): from now on
     * the code is refused, and says so. A code already used made a guest; unpair that instead.
     */
    public void withdrawInvite(long id, String actor) {
        int changed = jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE peer_invites SET withdrawn = :now
                        WHERE id = :id AND spent IS NULL AND withdrawn IS NULL AND expires > :now""")
                .bind("id", id).bind("now", Timestamp.from(clock.instant())).execute());
        if (changed == 0) {
            throw new PeerException(Kind.NOT_FOUND, "No open invite " + id + ": it was used, withdrawn or expired already."
                    + " The Friends page lists the open ones; a used code made a guest, which you can unpair.");
        }
        audit.record(actor, "peer.invite.withdrawn", Map.of("invite", id));
    }

    /** Whether some invite, spent or not, has this token: the {@code pair} login proves only that much. */
    public boolean knownToken(String token) {
        Optional<byte[]> hash = tokenHash(token);
        return hash.isPresent() && jdbi.withHandle(h -> h.createQuery("SELECT token_hash FROM peer_invites WHERE token_hash = :h")
                .bind("h", hash.get()).mapTo(byte[].class).findOne())
                .filter(stored -> MessageDigest.isEqual(stored, hash.get())).isPresent();
    }

    /**
     * Turns an invite into a guest account, spending its token in the same transaction: the
     * account, its key and the spent mark exist together or not at all.
     *
     * @throws PairingRefusedException {@code unknown}, {@code spent}, {@code withdrawn}, {@code expired} or
     *         {@code malformed} (the key)
     */
    public Welcome redeem(String token, Request request, String address) {
        byte[] hash = tokenHash(token).orElseThrow(() -> unknown());
        AuthorizedKey key;
        try {
            key = AuthorizedKey.parse(request.publicKey());
        } catch (DeviceException e) {
            throw new PairingRefusedException(Reason.MALFORMED, "The guest's public key is not usable: " + e.getMessage());
        }
        String guestName = request.name() == null || request.name().isBlank() ? "a friend's NAS"
                : request.name().strip().substring(0, Math.min(100, request.name().strip().length()));
        Instant now = clock.instant();
        int grace = graceDays();
        Welcome welcome = jdbi.inTransaction(h -> {
            var invite = h.createQuery("SELECT token_hash, quota, expires, spent, withdrawn FROM peer_invites WHERE token_hash = :h FOR UPDATE")
                    .bind("h", hash).mapToMap().findOne().orElseThrow(Guests::unknown);
            if (!MessageDigest.isEqual((byte[]) invite.get("token_hash"), hash)) {
                throw unknown();
            }
            if (invite.get("spent") != null) {
                throw new PairingRefusedException(Reason.SPENT, "This pairing code was already used; a code works once."
                        + " Ask your friend for a new one.");
            }
            if (invite.get("withdrawn") != null) {
                throw new PairingRefusedException(Reason.WITHDRAWN, "Your friend withdrew this pairing code on "
                        + ((Timestamp) invite.get("withdrawn")).toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        + "; ask them for a new one.");
            }
            Instant expires = ((Timestamp) invite.get("expires")).toInstant();
            if (!now.isBefore(expires)) {
                throw new PairingRefusedException(Reason.EXPIRED, "This pairing code expired at " + expires
                        + "; ask your friend for a new one.");
            }
            long quota = (Long) invite.get("quota");
            String user = newUser(h);
            h.createUpdate("""
                            INSERT INTO peer_guests (user_name, name, public_key, key_fingerprint, host_key, quota, created)
                            VALUES (:u, :n, :k, :f, :hk, :q, :t)""")
                    .bind("u", user).bind("n", guestName).bind("k", key.line()).bind("f", key.fingerprint())
                    .bind("hk", request.hostKey()).bind("q", quota).bind("t", Timestamp.from(now)).execute();
            h.createUpdate("UPDATE peer_invites SET spent = :t, guest = :u WHERE token_hash = :h")
                    .bind("t", Timestamp.from(now)).bind("u", user).bind("h", hash).execute();
            AuditLog.append(h, now, user, "peer.paired", Map.of("name", guestName, "address", address, "key", key.fingerprint()));
            // Inside the transaction: if the folder cannot be made, the token stays unspent for another try.
            try {
                Files.createDirectories(folder(user));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the guest's folder " + folder(user), e);
            }
            return new Welcome(user, quota, grace);
        });
        return welcome;
    }

    private String newUser(Handle h) {
        while (true) {
            byte[] b = new byte[4];
            random.nextBytes(b);
            String user = "guest-" + HexFormat.of().formatHex(b);
            boolean taken = h.createQuery("SELECT count(*) FROM peer_guests WHERE user_name = :u").bind("u", user)
                    .mapTo(Long.class).one() > 0 || Files.exists(folder(user), LinkOption.NOFOLLOW_LINKS);
            if (!taken) {
                return user;
            }
        }
    }

    private static PairingRefusedException unknown() {
        return new PairingRefusedException(Reason.UNKNOWN, "This appliance made no such pairing code;"
                + " check that the code was copied whole, or ask your friend for a new one.");
    }

    // ---------------------------------------------------------------- guests

    /** Whether {@code user} is a paired guest whose key has this fingerprint. */
    public boolean authenticateByKey(String user, String fingerprint) {
        return guestName(user) && jdbi.withHandle(h -> h.createQuery("""
                        SELECT count(*) FROM peer_guests WHERE user_name = :u AND key_fingerprint = :f AND unpaired IS NULL""")
                .bind("u", user).bind("f", fingerprint).mapTo(Long.class).one() > 0);
    }

    /**
     * Records a login of the guest: its last contact, which the panel shows and warns about. Its
     * usage is counted again from the folder: a disk replaced or emptied while the appliance ran
     * must not leave the old bytes counted against the quota when the guest sends everything again.
     */
    public void contact(String user) {
        long counted = size(folder(user));
        usage.compute(user, (u, live) -> {
            if (live == null) {
                return new AtomicLong(counted);
            }
            live.set(counted);
            return live;
        });
        jdbi.useHandle(h -> h.createUpdate("UPDATE peer_guests SET last_contact = :t WHERE user_name = :u")
                .bind("t", Timestamp.from(clock.instant())).bind("u", user).execute());
    }

    /** The guest's folder, its SFTP root. */
    public Path folder(String user) {
        if (!guestName(user)) {
            throw new PeerException(Kind.BAD_REQUEST, "'" + user + "' is not a guest account name (guest-<8 hex digits>).");
        }
        return guestsDir.resolve(user);
    }

    /** The bytes the guest may keep here. */
    public long quota(String user) {
        return guest(user).quota();
    }

    /**
     * The lock every change of a name in the guest's folder holds from its check to its act (a
     * rename that must not replace, an open that must not truncate, a seed file put in place), so
     * two connections of one guest, or a connection and a seed import, cannot both pass a check.
     */
    public ReentrantLock folderLock(String user) {
        return folderLocks.computeIfAbsent(user, u -> new ReentrantLock());
    }

    /** The live count of bytes in the guest's folder, shared by its connections; writes add to it. */
    public AtomicLong usage(String user) {
        return usage.computeIfAbsent(user, u -> new AtomicLong(size(folder(u))));
    }

    public List<Guest> list() {
        List<Guest> rows = jdbi.withHandle(h -> h.createQuery("""
                        SELECT user_name, name, key_fingerprint, host_key, quota, created, last_contact, unpaired
                        FROM peer_guests ORDER BY created""").map((rs, ctx) -> row(rs)).list());
        return rows.stream().map(this::complete).toList();
    }

    public Guest guest(String user) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT user_name, name, key_fingerprint, host_key, quota, created, last_contact, unpaired
                        FROM peer_guests WHERE user_name = :u""").bind("u", user).map((rs, ctx) -> row(rs)).findOne())
                .map(this::complete)
                .orElseThrow(() -> new PeerException(Kind.NOT_FOUND, "There is no guest '" + user + "'; see Friends for the list."));
    }

    private static Guest row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Guest(rs.getString("user_name"), rs.getString("name"), rs.getString("key_fingerprint"), rs.getString("host_key"),
                rs.getLong("quota"), 0, instant(rs, "created"), instant(rs, "last_contact"), instant(rs, "unpaired"), List.of());
    }

    private Guest complete(Guest g) {
        long used = Files.isDirectory(folder(g.user())) ? usage(g.user()).get() : 0;
        return new Guest(g.user(), g.name(), g.keyFingerprint(), g.hostKey(), g.quota(), used, g.created(), g.lastContact(),
                g.unpaired(), pendingDeletions(g.user()));
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    /** Changes the space a guest may use; lowering it below its usage refuses new writes, nothing is removed. */
    public Guest changeQuota(String user, long quota, String actor) {
        if (quota <= 0) {
            throw new PeerException(Kind.BAD_REQUEST, "A guest's space is a positive number of bytes.");
        }
        guest(user);
        jdbi.useHandle(h -> h.createUpdate("UPDATE peer_guests SET quota = :q WHERE user_name = :u").bind("q", quota)
                .bind("u", user).execute());
        audit.record(actor, "peer.guest.quota", Map.of("guest", user, "quota", quota));
        return guest(user);
    }

    /**
     * Ends a pairing from B's side: the guest's logins are refused from now on. Its folder stays
     * (the owner deletes it when sure), and so do its pending deletions' records.
     */
    public void unpair(String user, String actor) {
        guest(user);
        jdbi.useHandle(h -> h.createUpdate("UPDATE peer_guests SET unpaired = :t WHERE user_name = :u AND unpaired IS NULL")
                .bind("t", Timestamp.from(clock.instant())).bind("u", user).execute());
        audit.record(actor, "peer.guest.unpaired", Map.of("guest", user));
        unpairedListeners.forEach(l -> l.accept(user));
    }

    /**
     * Calls {@code listener} with each guest unpaired from now on (the SFTP server ends its open
     * connections, which a refused login alone would leave running).
     *
     * @return what stops the calls
     */
    public Runnable whenUnpaired(Consumer<String> listener) {
        unpairedListeners.add(listener);
        return () -> unpairedListeners.remove(listener);
    }

    /** Whether {@code user} is a guest still paired (a connection's SFTP is refused once it is not). */
    public boolean paired(String user) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM peer_guests WHERE user_name = :u AND unpaired IS NULL")
                .bind("u", user).mapTo(Long.class).one() > 0);
    }

    // ---------------------------------------------------------------- deletions

    /** Days between a guest's delete and its effect. */
    public int graceDays() {
        return settings.get(GRACE_KEY).map(Integer::parseInt).orElse(DEFAULT_GRACE_DAYS);
    }

    public void setGraceDays(int days, String actor) {
        if (days < 1 || days > 3650) {
            throw new PeerException(Kind.BAD_REQUEST, "The grace period for guests' deletions is 1 to 3650 days.");
        }
        settings.put(GRACE_KEY, Integer.toString(days));
        audit.record(actor, "peer.grace-days", Map.of("days", days));
    }

    /** Days without a login after which the panel warns about a guest. */
    public int warnDays() {
        return settings.get(WARN_KEY).map(Integer::parseInt).orElse(DEFAULT_WARN_DAYS);
    }

    /** Whether a path inside a guest's folder is a lock file, which its guest removes at once (restic's {@code locks/}). */
    public static boolean lockFile(String relative) {
        return relative.startsWith(LOCKS) && relative.indexOf('/', LOCKS.length()) < 0;
    }

    /**
     * Records the guest's wish to remove a file: it stays, readable and listed, until the grace
     * period has passed. Asking again keeps the first due date.
     *
     * @param relative the file's path inside the guest's folder, {@code /}-separated
     * @return when it will be removed
     */
    public Instant requestDeletion(String user, String relative) {
        Instant now = clock.instant();
        Instant due = now.plus(Duration.ofDays(graceDays()));
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO peer_deletions (user_name, path, requested, due) VALUES (:u, :p, :r, :d)
                        ON CONFLICT (user_name, path) DO NOTHING""")
                .bind("u", user).bind("p", relative).bind("r", Timestamp.from(now)).bind("d", Timestamp.from(due)).execute());
        return due;
    }

    public List<Guest.Deletion> pendingDeletions(String user) {
        return jdbi.withHandle(h -> h.createQuery("SELECT path, requested, due FROM peer_deletions WHERE user_name = :u ORDER BY due, path")
                .bind("u", user).map((rs, ctx) -> new Guest.Deletion(rs.getString("path"), instant(rs, "requested"), instant(rs, "due")))
                .list());
    }

    /** Keeps a file the guest asked to remove (a ransomed or confused guest): the request is forgotten. */
    public void cancelDeletion(String user, String relative, String actor) {
        int n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM peer_deletions WHERE user_name = :u AND path = :p")
                .bind("u", user).bind("p", relative).execute());
        if (n == 0) {
            throw new PeerException(Kind.NOT_FOUND, "Guest '" + user + "' has no pending deletion of " + relative
                    + "; it may have been carried out or cancelled already.");
        }
        audit.record(actor, "peer.deletion.cancelled", Map.of("guest", user, "path", relative));
    }

    /**
     * Removes the files whose grace period has passed (the scheduler calls it). A file already gone
     * is no error. An unpaired guest's requests are frozen: its folder is the host owner's to keep
     * or delete, and a stolen key's last wishes are not carried out.
     *
     * @return how many requests were carried out
     */
    public int carryOutDueDeletions() {
        Instant now = clock.instant();
        List<Map<String, Object>> due = jdbi.withHandle(h -> h.createQuery(
                """
                        SELECT d.user_name, d.path FROM peer_deletions d JOIN peer_guests g ON g.user_name = d.user_name
                        WHERE d.due <= :t AND g.unpaired IS NULL ORDER BY d.due""").bind("t", Timestamp.from(now)).mapToMap().list());
        int done = 0;
        for (Map<String, Object> row : due) {
            String user = (String) row.get("user_name");
            String path = (String) row.get("path");
            // One row that cannot be carried out (a folder that is not empty, a disk error) is logged
            // and tried again next minute; it must not stop every other guest's deletions.
            try {
                Path file = inside(user, path);
                long size = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : 0;
                if (Files.deleteIfExists(file)) {
                    usage(user).addAndGet(-size);
                }
            } catch (IOException | RuntimeException e) {
                log.warn("Cannot remove {} for guest {} although its grace period has passed; it is tried again at the"
                        + " next run (remove or keep it by hand if this repeats)", path, user, e);
                continue;
            }
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM peer_deletions WHERE user_name = :u AND path = :p")
                    .bind("u", user).bind("p", path).execute());
            audit.record("system", "peer.deletion.done", Map.of("guest", user, "path", path));
            done++;
        }
        return done;
    }

    /** A path inside the guest's folder; anything that would leave it is refused. */
    private Path inside(String user, String relative) {
        Path root = folder(user);
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new PeerException(Kind.BAD_REQUEST, "'" + relative + "' is not a file inside guest " + user + "'s folder.");
        }
        return p;
    }

    // ---------------------------------------------------------------- seeding

    /**
     * Imports a seed (the guest's repository written to a disk by a folder target) into the
     * guest's folder: files not there yet are copied (through a temporary name, their length
     * checked, then renamed); files already there are left alone.
     *
     * @throws PeerException if {@code from} is not a folder or the seed does not fit the guest's space
     */
    public SeedImport importSeed(String user, Path from, String actor) {
        Guest g = guest(user);
        if (from == null || from.toString().isBlank()) {
            throw new PeerException(Kind.BAD_REQUEST, "Give the folder on the seed disk that holds the guest's copy (config,"
                    + " keys/, data/…), e.g. /media/usb/threefold.");
        }
        Path source = from.toAbsolutePath().normalize();
        if (!Files.isDirectory(source)) {
            throw new PeerException(Kind.BAD_REQUEST, "There is no folder " + source + "; give the folder the guest's"
                    + " appliance wrote its copy to (the one holding config, keys/, data/…), with its disk mounted.");
        }
        if (!Files.exists(source.resolve("config"))) {
            throw new PeerException(Kind.BAD_REQUEST, source + " holds no repository (no file 'config'); give the folder"
                    + " the guest's folder target wrote to.");
        }
        Path root = folder(user);
        AtomicLong used = usage(user);
        long copied = 0;
        long there = 0;
        long bytes = 0;
        try {
            Files.createDirectories(root);
            Deque<Path> todo = new ArrayDeque<>(List.of(source));
            while (!todo.isEmpty()) {
                Path dir = todo.pop();
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                    for (Path e : entries) {
                        BasicFileAttributes a = Files.readAttributes(e, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        Path target = root.resolve(source.relativize(e).toString());
                        if (a.isDirectory()) {
                            Files.createDirectories(target);
                            todo.push(e);
                        } else if (a.isRegularFile()) {
                            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                                there++;
                                continue;
                            }
                            if (used.get() + a.size() > g.quota()) {
                                throw new PeerException(Kind.REFUSED, "The seed does not fit the space given to " + g.name()
                                        + " (" + g.quota() + " bytes); raise its space, then import again: what was"
                                        + " copied stays.");
                            }
                            Path tmp = target.resolveSibling(target.getFileName() + "-seed-tmp");
                            Files.copy(e, tmp, StandardCopyOption.REPLACE_EXISTING);
                            if (Files.size(tmp) != a.size()) {
                                Files.delete(tmp);
                                throw new PeerException(Kind.DAMAGED, "Copying " + e + " gave " + " a file of another length;"
                                        + " check the seed disk, then import again.");
                            }
                            if (!putInPlace(user, tmp, target)) {
                                there++;
                                continue;
                            }
                            used.addAndGet(a.size());
                            copied++;
                            bytes += a.size();
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("importing the seed " + source + " into " + root + " failed; what was copied stays,"
                    + " import again once the cause is fixed", e);
        }
        audit.record(actor, "peer.seed.imported", Map.of("guest", user, "from", source.toString(), "copied", copied,
                "alreadyThere", there, "bytes", bytes));
        return new SeedImport(copied, there, bytes);
    }

    /**
     * Gives {@code tmp} the name {@code target} unless that name exists, as a guest's own rename:
     * a hard link fails atomically on an existing name, where a move would replace it (the guest
     * may upload the same object while the seed is imported).
     *
     * @return false if {@code target} was there ({@code tmp} is removed)
     */
    private boolean putInPlace(String user, Path tmp, Path target) throws IOException {
        ReentrantLock lock = folderLock(user);
        lock.lock();
        try {
            Files.createLink(target, tmp);
            return true;
        } catch (FileAlreadyExistsException there) {
            return false;
        } finally {
            lock.unlock();
            Files.delete(tmp);
        }
    }

    // ---------------------------------------------------------------- helpers of this class

    private static long size(Path folder) {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        long[] total = {0};
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                    if (a.isRegularFile()) {
                        total[0] += a.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    // A lock file or an upload removed while the folder is walked: it no longer counts.
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure the guest folder " + folder, e);
        }
        return total[0];
    }

    private static Optional<byte[]> tokenHash(String token) {
        if (token == null) {
            return Optional.empty();
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token.strip());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return raw.length == 32 ? Optional.of(sha256(raw)) : Optional.empty();
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
