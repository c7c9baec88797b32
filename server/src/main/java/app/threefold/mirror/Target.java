package app.threefold.mirror;

import app.threefold.backend.S3Settings;
import app.threefold.sources.Schedule;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Objects;

/**
 * A place the repository is copied to, as the catalog knows it. It never carries a secret: an S3
 * target's secret key is only shown masked ({@link S3Location#maskedSecret()}).
 *
 * @param s3             the bucket, for {@link Kind#S3}; null otherwise
 * @param folder         the folder (a USB disk's mount point or a folder on it), for {@link Kind#FOLDER}; null otherwise
 * @param sftp           the SFTP server, for {@link Kind#SFTP}; null otherwise
 * @param schedule       when it syncs by itself (while {@code enabled})
 * @param bandwidthLimit the most bytes per second a sync sends, 0 for no limit
 * @param lastSync       the latest sync's outcome, null if it never synced
 * @param lastGoodSync   when the latest sync that succeeded started (what the copy holds is at least
 *                       that recent), null if none did; a later failed or running sync leaves it standing
 * @param deleteDelay    how long an object gone from the local repository (forgotten, pruned) stays on
 *                       the copy, counted from the first sync that saw it gone; zero removes it at that sync
 * @param waiting        objects gone locally that are still on the copy, waiting for their delay
 */
public record Target(TargetId id, String name, Kind kind, S3Location s3, Path folder, Schedule schedule, boolean enabled,
                     long bandwidthLimit, Instant created, LastSync lastSync, Instant lastGoodSync, SftpLocation sftp,
                     Duration deleteDelay, Waiting waiting) {

    /** Nightly, while a household sleeps and after the evening's backups: the default schedule of a new target. */
    public static final Schedule NIGHTLY = new Schedule.Daily(LocalTime.of(2, 30));
    /** How long a copy keeps what a prune removed locally, unless its target says otherwise. */
    public static final Duration DEFAULT_DELETE_DELAY = Duration.ofDays(30);

    /** A bucket or folder target as it was before copies followed deletions: the default delay, nothing waiting. */
    public Target(TargetId id, String name, Kind kind, S3Location s3, Path folder, Schedule schedule, boolean enabled,
                  long bandwidthLimit, Instant created, LastSync lastSync, Instant lastGoodSync) {
        this(id, name, kind, s3, folder, schedule, enabled, bandwidthLimit, created, lastSync, lastGoodSync, null,
                DEFAULT_DELETE_DELAY, Waiting.NONE);
    }

    /** A target of any kind with the default delay and nothing waiting. */
    public Target(TargetId id, String name, Kind kind, S3Location s3, Path folder, Schedule schedule, boolean enabled,
                  long bandwidthLimit, Instant created, LastSync lastSync, Instant lastGoodSync, SftpLocation sftp) {
        this(id, name, kind, s3, folder, schedule, enabled, bandwidthLimit, created, lastSync, lastGoodSync, sftp,
                DEFAULT_DELETE_DELAY, Waiting.NONE);
    }

    /**
     * Objects gone from the local repository that the copy still holds.
     *
     * @param objects how many
     * @param bytes   their size
     * @param firstOn when the first of them is due to be removed (at the first sync from then), null if none
     *                waits or the target never removes
     */
    public record Waiting(long objects, long bytes, Instant firstOn) {
        public static final Waiting NONE = new Waiting(0, 0, null);
    }

    /** The kinds of storage a copy can live on. */
    public enum Kind {
        S3, FOLDER, SFTP;

        /** As the API and the catalog write it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Target {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(waiting, "waiting");
        if ((kind == Kind.S3) != (s3 != null) || (kind == Kind.FOLDER) != (folder != null)
                || (kind == Kind.SFTP) != (sftp != null)) {
            throw new IllegalArgumentException("a " + kind + " target needs exactly its own location");
        }
    }


    /** Where the copy is, for people and for {@code --repo}: {@code s3:…}, the folder or {@code sftp://…}. */
    public String location() {
        return switch (kind) {
            case S3 -> s3.resticRepository();
            case FOLDER -> folder.toString();
            case SFTP -> sftp.display();
        };
    }

    /**
     * Whether the copy leaves the house: a bucket and an SFTP server (a friend's NAS) do; a USB disk
     * is carried away at best.
     */
    public boolean offSite() {
        return kind == Kind.S3 || kind == Kind.SFTP;
    }

    /**
     * An SFTP target's server, without its password.
     *
     * @param path        the repository's folder, relative to the login folder (empty: the folder itself) or absolute
     * @param hostKey     the pinned host key's SHA256 fingerprint
     * @param keyFile     the private key the appliance logs in with, or null
     * @param hasPassword whether a password is stored (sealed like an S3 secret)
     * @param peer        made by pairing with a friend's Threefold
     */
    public record SftpLocation(String host, int port, String user, String path, String hostKey, Path keyFile,
                               boolean hasPassword, boolean peer) {

        /** {@code sftp://USER@HOST:PORT/PATH}, as the CLI's {@code --repo} takes it. */
        public String display() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return "sftp://" + user + "@" + h + ":" + port + "/" + path;
        }
    }

    /** An S3 target's settings without the secret key. */
    public record S3Location(URI endpoint, String region, String bucket, String prefix, String accessKey,
                             boolean pathStyle, S3Settings.Checksums checksums, String maskedSecret) {

        /** The checksum mode as the API writes it: {@code when_required} or {@code when_supported}. */
        public String checksumMode() {
            return checksums.name().toLowerCase(java.util.Locale.ROOT);
        }

        public String resticRepository() {
            return S3Settings.of(endpoint, region, bucket, prefix, accessKey, "-").withPathStyle(pathStyle)
                    .resticRepository();
        }
    }

    /**
     * How the latest sync ended (or that it runs): when it started, objects and bytes it sent, and
     * what it removed from the copy because the local repository no longer holds it ({@code keptNote}:
     * why it kept something that was due, null if it kept nothing).
     */
    public record LastSync(Instant time, State state, long objects, long bytes, String error, long removed,
                           long removedBytes, String keptNote) {

        public LastSync(Instant time, State state, long objects, long bytes, String error) {
            this(time, state, objects, bytes, error, 0, 0, null);
        }

        public enum State {
            RUNNING, SUCCEEDED, FAILED;

            public String label() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }
}
