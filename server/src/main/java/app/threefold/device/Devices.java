package app.threefold.device;

import app.threefold.account.PasswordHasher;
import app.threefold.audit.AuditLog;
import app.threefold.snapshot.CatalogSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The household machines that back up over SFTP: creating, changing and deleting them, checking
 * their logins, their quota, and the audit trail of what they did. Deleting a device ends its
 * account, never its snapshots: those stay in the repository and the device is listed as archived.
 */
public final class Devices {
    /**
     * Names become SSH user names and snapshot hostnames: letters, digits, '.', '_', '-', starting
     * with a letter or digit, so nothing needs quoting anywhere.
     */
    static final int MIN_PASSWORD_LENGTH = 8;

    private final Jdbi jdbi;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final CatalogSnapshots snapshots;
    private final ArchivedDevices archived;
    private final MemberDevices members;
    // Verifying an unknown device still costs one hash, so timing does not reveal which names exist.
    private final String decoyHash;

    public Devices(Jdbi jdbi, PasswordHasher hasher, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.hasher = Objects.requireNonNull(hasher);
        this.clock = Objects.requireNonNull(clock);
        this.decoyHash = hasher.hash("decoy password".toCharArray());
        this.snapshots = new CatalogSnapshots(jdbi);
        this.archived = new ArchivedDevices(jdbi);
        this.members = new MemberDevices(jdbi);
    }

    /** Whether {@code name} is usable as a device name ({@link DeviceName} owns the rule). */
    public static boolean validName(String name) {
        return DeviceName.isValid(name);
    }

    /** {@link #create(String, String, char[], String)} by the admin (the CLI, tests). */
    public Device create(String name, char[] password, String publicKey) {
        return create("admin", name, password, publicKey);
    }

    /**
     * Creates a device that logs in with a password, a public key (an OpenSSH key line) or both,
     * and records that {@code actor} added it (one entry in the activity log, with the device).
     *
     * @throws DeviceException for a bad or taken name, a short password, an unusable key, or neither
     */
    public Device create(String actor, String name, char[] password, String publicKey) {
        if (!validName(name)) {
            throw new DeviceException("Invalid device name '" + name + "': use 1 to 64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit (e.g. anna-laptop).");
        }
        boolean hasPassword = password != null && password.length > 0;
        boolean hasKey = publicKey != null && !publicKey.isBlank();
        if (!hasPassword && !hasKey) {
            throw new DeviceException("Give the device a password, a public key or both, or it cannot log in.");
        }
        if (hasPassword && password.length < MIN_PASSWORD_LENGTH) {
            throw new DeviceException("The device password is too short: use at least " + MIN_PASSWORD_LENGTH + " characters.");
        }
        AuthorizedKey key = hasKey ? AuthorizedKey.parse(publicKey) : null;
        String hash = hasPassword ? hasher.hash(password) : null;
        Instant created = clock.instant();
        try {
            jdbi.useTransaction(h -> {
                // The catalog refuses a local source's name (V6's trigger) and a taken one here.
                long id = h.createUpdate("INSERT INTO devices (name, password_hash, created) VALUES (:name, :hash, :created)")
                        .bind("name", name).bind("hash", hash).bind("created", created)
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                // A deleted device's name may come back and continue its history; snapshots of any other
                // origin (a removed local source, `threefold backup`) are folders of the NAS, which the
                // new device's login would then see.
                if (snapshots.any(name) && !archived.contains(name)) {
                    throw new DeviceException("Snapshots named '" + name + "' already exist, of a folder on the NAS (a removed"
                            + " local source or a command-line backup). A device of that name would see them over SFTP: choose"
                            + " another name, e.g. " + name + "-laptop.");
                }
                if (key != null) {
                    insertKey(h, id, key);
                }
                // Re-adding a deleted device's name continues its history.
                archived.forget(name);
                audit(h, actor, "device.added", Map.of("device", name));
            });
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof PSQLException p && PSQLState.UNIQUE_VIOLATION.getState().equals(p.getSQLState())) {
                // The name-space trigger raises without a constraint; the unique name has one.
                if (p.getServerErrorMessage() != null && p.getServerErrorMessage().getConstraint() == null) {
                    throw new DeviceException("A local source is named '" + name + "'. A device's name becomes its snapshots'"
                            + " hostname, so it needs a name of its own, e.g. " + name + "-laptop.");
                }
                throw new DeviceException("A device named '" + name + "' already exists; choose another name.");
            }
            throw e;
        }
        return find(name).orElseThrow();
    }

    /**
     * Brings back the account of a device whose snapshots came from a copy (disaster recovery):
     * its name, no password and no key, so it cannot log in until an admin sets one again
     * ({@link Device#needsLogin()}); its history continues under the same name.
     *
     * @return false if a device of that name exists already (nothing changes)
     */
    public boolean recover(String name, String actor) {
        if (!validName(name)) {
            return false;
        }
        return jdbi.inTransaction(h -> {
            int n = h.createUpdate("INSERT INTO devices (name, password_hash, created) VALUES (:name, NULL, :created)"
                            + " ON CONFLICT (name) DO NOTHING")
                    .bind("name", name).bind("created", clock.instant()).execute();
            if (n > 0) {
                audit(h, actor, "device.recovered", Map.of("device", name));
            }
            return n > 0;
        });
    }

    /** Authorizes one more public key for a device. */
    public Device addKey(String name, String publicKey) {
        AuthorizedKey key = AuthorizedKey.parse(publicKey);
        jdbi.useTransaction(h -> insertKey(h, idOf(h, name), key));
        return find(name).orElseThrow();
    }

    private static void insertKey(Handle h, long device, AuthorizedKey key) {
        h.createUpdate("INSERT INTO device_keys (device, public_key, fingerprint) VALUES (:d, :k, :f) ON CONFLICT DO NOTHING")
                .bind("d", device).bind("k", key.line()).bind("f", key.fingerprint()).execute();
    }

    private static long idOf(Handle h, String name) {
        return h.createQuery("SELECT id FROM devices WHERE name = :n").bind("n", name).mapTo(Long.class).findOne()
                .orElseThrow(() -> new UnknownDeviceException(name));
    }

    /**
     * Stops trusting a key. Refused if it is the device's last way to log in.
     *
     * @throws UnknownDeviceException if there is no such device
     * @throws LastLoginMethodException if the device has no password and no other key
     * @throws DeviceException if the device has no key with that fingerprint
     */
    public Device removeKey(String name, String fingerprint) {
        jdbi.useTransaction(h -> {
            Logins logins = lockLogins(h, name);
            if (!logins.fingerprints().contains(fingerprint)) {
                throw new DeviceException("Device '" + name + "' has no key " + fingerprint + "; nothing was removed.");
            }
            if (!logins.hasPassword() && logins.fingerprints().size() == 1) {
                throw new LastLoginMethodException(name, "remove the only key");
            }
            h.createUpdate("DELETE FROM device_keys WHERE device = :d AND fingerprint = :f")
                    .bind("d", logins.id()).bind("f", fingerprint).execute();
        });
        return find(name).orElseThrow();
    }

    /**
     * Sets or changes the device's SFTP password; null or empty clears it, which needs a key.
     *
     * @throws UnknownDeviceException if there is no such device
     * @throws LastLoginMethodException if clearing it would leave the device without a way to log in
     * @throws DeviceException if the password is too short
     */
    public Device setPassword(String name, char[] password) {
        return change(name, new DeviceChange(password == null ? new char[0] : password, null, null, null));
    }

    /**
     * Applies every part of {@code change} or, if any part is refused, none: all input is checked
     * before anything is written.
     *
     * @throws UnknownDeviceException if there is no such device
     * @throws LastLoginMethodException if the device would have neither a password nor a key
     * @throws DeviceException for a short password, an unusable key or a negative quota
     */
    public Device change(String name, DeviceChange change) {
        char[] password = change.password();
        boolean clear = password != null && password.length == 0;
        if (password != null && !clear && password.length < MIN_PASSWORD_LENGTH) {
            throw new DeviceException("The device password is too short: use at least " + MIN_PASSWORD_LENGTH + " characters.");
        }
        List<AuthorizedKey> keys = change.publicKeys() == null ? null
                : change.publicKeys().stream().map(AuthorizedKey::parse).toList();
        if (change.quotaBytes() != null && change.quotaBytes() < 0) {
            throw new DeviceException("A quota cannot be negative; use 0 for none.");
        }
        String hash = password == null || clear ? null : hasher.hash(password);
        jdbi.useTransaction(h -> {
            Logins logins = lockLogins(h, name);
            boolean hasPassword = password == null ? logins.hasPassword() : !clear;
            boolean hasKey = keys == null ? !logins.fingerprints().isEmpty() : !keys.isEmpty();
            if (!hasPassword && !hasKey) {
                throw new LastLoginMethodException(name, keys != null && keys.isEmpty() ? "remove every key" : "clear the password");
            }
            if (password != null) {
                h.createUpdate("UPDATE devices SET password_hash = :h WHERE id = :d").bind("h", hash).bind("d", logins.id()).execute();
            }
            if (keys != null) {
                h.createUpdate("DELETE FROM device_keys WHERE device = :d").bind("d", logins.id()).execute();
                keys.forEach(k -> insertKey(h, logins.id(), k));
            }
            if (change.quotaBytes() != null) {
                h.createUpdate("UPDATE devices SET quota_bytes = :q WHERE id = :d").bind("q", change.quotaBytes())
                        .bind("d", logins.id()).execute();
            }
            if (change.enabled() != null) {
                h.createUpdate("UPDATE devices SET enabled = :e WHERE id = :d").bind("e", change.enabled())
                        .bind("d", logins.id()).execute();
            }
        });
        return find(name).orElseThrow();
    }

    /** The device's row, locked for the transaction, with what it can log in with. */
    private record Logins(long id, boolean hasPassword, List<String> fingerprints) {
    }

    private static Logins lockLogins(Handle h, String name) {
        // FOR UPDATE: two edits at once cannot each remove one of the last two ways in.
        Logins row = h.createQuery("SELECT id, password_hash IS NOT NULL AS has_password FROM devices WHERE name = :n FOR UPDATE")
                .bind("n", name)
                .map((rs, ctx) -> new Logins(rs.getLong("id"), rs.getBoolean("has_password"), List.of()))
                .findOne().orElseThrow(() -> new UnknownDeviceException(name));
        List<String> keys = h.createQuery("SELECT fingerprint FROM device_keys WHERE device = :d")
                .bind("d", row.id()).mapTo(String.class).list();
        return new Logins(row.id(), row.hasPassword(), keys);
    }

    /**
     * Deletes the device's account: it can no longer log in over SFTP, its keys and its members'
     * assignments go. Its snapshots stay in the repository; the device is listed as archived until
     * a device of the same name is added again.
     *
     * @throws UnknownDeviceException if there is no such device
     */
    public void delete(String name, String actor) {
        jdbi.useTransaction(h -> {
            int n = h.createUpdate("DELETE FROM devices WHERE name = :n").bind("n", name).execute();
            if (n == 0) {
                throw new UnknownDeviceException(name);
            }
            members.forgetDevice(name);
            archived.archive(name, clock.instant(), actor);
            audit(h, actor, "device.deleted", Map.of("device", name));
        });
    }

    /** The names of every device, in the catalog's order. */
    public List<String> names() {
        return jdbi.withHandle(h -> h.createQuery("SELECT name FROM devices ORDER BY name").mapTo(String.class).list());
    }

    /** Every device, by name. */
    public List<Device> list() {
        return names().stream().map(n -> find(n).orElseThrow()).toList();
    }

    public Optional<Device> find(String name) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, name, enabled, password_hash IS NOT NULL AS has_password, quota_bytes, bytes_added, created"
                                + " FROM devices WHERE name = :n")
                .bind("n", name)
                .map((rs, ctx) -> {
                    long id = rs.getLong("id");
                    List<String> keys = new ArrayList<>(h.createQuery("SELECT fingerprint FROM device_keys WHERE device = :d ORDER BY id")
                            .bind("d", id).mapTo(String.class).list());
                    return new Device(rs.getString("name"), rs.getBoolean("enabled"), rs.getBoolean("has_password"), keys,
                            rs.getLong("quota_bytes"), rs.getLong("bytes_added"), rs.getTimestamp("created").toInstant());
                })
                .findOne());
    }

    /** Whether {@code password} is the enabled device's; false for unknown or disabled devices. */
    public boolean authenticateByPassword(String name, char[] password) {
        Optional<String> stored = jdbi.withHandle(h -> h.createQuery(
                        "SELECT password_hash FROM devices WHERE name = :n AND enabled AND password_hash IS NOT NULL")
                .bind("n", name).mapTo(String.class).findOne());
        boolean matches = hasher.verify(password, stored.orElse(decoyHash));
        return matches && stored.isPresent();
    }

    /** Whether a key with this OpenSSH SHA256 fingerprint is authorized for the enabled device. */
    public boolean authenticateByKey(String name, String fingerprint) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT EXISTS (SELECT 1 FROM device_keys k JOIN devices d ON d.id = k.device
                                       WHERE d.name = :n AND d.enabled AND k.fingerprint = :f)""")
                .bind("n", name).bind("f", fingerprint).mapTo(Boolean.class).one());
    }

    public void setEnabled(String name, boolean enabled) {
        update(name, "UPDATE devices SET enabled = :v WHERE name = :n", enabled);
    }

    /** Sets the quota on the bytes the device adds to the repository; 0 removes it. */
    public void setQuota(String name, long quotaBytes) {
        if (quotaBytes < 0) {
            throw new DeviceException("A quota cannot be negative; use 0 for none.");
        }
        update(name, "UPDATE devices SET quota_bytes = :v WHERE name = :n", quotaBytes);
    }

    /** Counts bytes a session of the device added to the repository. */
    public void addBytes(String name, long bytes) {
        update(name, "UPDATE devices SET bytes_added = bytes_added + :v WHERE name = :n", bytes);
    }

    private void update(String name, String sql, Object value) {
        int n = jdbi.withHandle(h -> h.createUpdate(sql).bind("v", value).bind("n", name).execute());
        if (n == 0) {
            throw new UnknownDeviceException(name);
        }
    }

    /**
     * The device's snapshots from the catalog, newest first; a deleted device's too.
     *
     * @throws UnknownDeviceException if no device of that name exists or left snapshots
     */
    public List<SnapshotSummary> snapshots(String name) {
        List<SnapshotSummary> found = snapshots.list(name).stream()
                .map(r -> new SnapshotSummary(r.id(), r.time(), r.counts().files(), r.counts().bytes(),
                        r.counts().bytesAdded(), r.counts().filesRemoved(), r.parent(), r.recovered()))
                .toList();
        if (found.isEmpty() && find(name).isEmpty()) {
            throw new UnknownDeviceException(name);
        }
        return found;
    }

    /** The longest rhythm a device may have: a month. */
    public static final Duration MAX_RHYTHM = Duration.ofHours(744);

    /**
     * Sets how often the device is expected to back up (daily by default), in whole hours.
     *
     * @throws DeviceException if it is under an hour or over a month
     * @throws UnknownDeviceException if there is no such device
     */
    public void setRhythm(String name, Duration rhythm) {
        if (rhythm.toHours() < 1 || rhythm.compareTo(MAX_RHYTHM) > 0) {
            throw new DeviceException("A device's rhythm is between 1 hour and 31 days (744 hours); "
                    + rhythm.toHours() + " hours is outside it.");
        }
        update(name, "UPDATE devices SET rhythm_hours = :v WHERE name = :n", (int) rhythm.toHours());
    }

    /**
     * Records that the device logged in from {@code address} now, for the clue in a late device's
     * line ("it last connected from …"). An unknown name changes nothing: the login was checked
     * against the catalog a moment before, and a delete since then is not this method's business.
     */
    public void recordConnection(String name, String address) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE devices SET last_address = :a, last_connected = :t WHERE name = :n")
                .bind("a", address).bind("t", clock.instant()).bind("n", name).execute());
    }

    /**
     * Records that a session of the device ended without error now, whether it changed anything or
     * not: a nightly sync that finds nothing new writes no snapshot, and must not make the device
     * look late. An unknown name changes nothing (it may have been deleted meanwhile).
     */
    public void recordBackupCompleted(String name) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE devices SET last_completed = :t WHERE name = :n")
                .bind("t", clock.instant()).bind("n", name).execute());
    }

    /**
     * How every device keeps its rhythm now, worst first (see {@link Lateness}): the dashboard's
     * order, and what alerts watch.
     */
    public List<Lateness> punctuality() {
        Instant now = clock.instant();
        Map<String, Instant> latest = new java.util.HashMap<>();
        snapshots.latestPerDevice().forEach(r -> latest.put(r.device(), r.time()));
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT name, enabled, rhythm_hours, created, last_address, last_connected, last_completed FROM devices")
                .map((rs, ctx) -> Lateness.of(rs.getString("name"), rs.getBoolean("enabled"),
                        Duration.ofHours(rs.getInt("rhythm_hours")), rs.getTimestamp("created").toInstant(),
                        later(latest.get(rs.getString("name")), instant(rs.getTimestamp("last_completed"))),
                        rs.getString("last_address"), instant(rs.getTimestamp("last_connected")), now))
                .list()).stream().sorted(Lateness.WORST_FIRST).toList();
    }

    /** The devices whose backup is late now (amber or red), worst first. */
    public List<Lateness> lateDevices() {
        return punctuality().stream().filter(Lateness::late).toList();
    }

    /**
     * One device's punctuality.
     *
     * @throws UnknownDeviceException if there is no such device
     */
    public Lateness punctuality(String name) {
        return punctuality().stream().filter(l -> l.device().equals(name)).findFirst()
                .orElseThrow(() -> new UnknownDeviceException(name));
    }

    /** The later of two instants, either possibly null (never). */
    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    private static Instant instant(java.sql.Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** Appends to the audit log: logins, refusals, snapshots. */
    public void audit(String actor, String action, Map<String, ?> detail) {
        jdbi.useHandle(h -> audit(h, actor, action, detail));
    }

    private void audit(Handle h, String actor, String action, Map<String, ?> detail) {
        AuditLog.append(h, clock.instant(), actor, action, detail);
    }
}
