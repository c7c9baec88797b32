package app.threefold.mirror;

import app.threefold.backend.S3Settings;
import app.threefold.sources.Schedule;
import java.net.URI;
import java.nio.file.Path;
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
 */
public record Target(TargetId id, String name, Kind kind, S3Location s3, Path folder, Schedule schedule, boolean enabled,
                     long bandwidthLimit, Instant created, LastSync lastSync, Instant lastGoodSync, SftpLocation sftp) {

    /** Nightly, while a household sleeps and after the evening's backups: the default schedule of a new target. */
    public static final Schedule NIGHTLY = new Schedule.Daily(LocalTime.of(2, 30));

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
        if ((kind == Kind.S3) != (s3 != null) || (kind == Kind.FOLDER) != (folder != null)
                || (kind == Kind.SFTP) != (sftp != null)) {
            throw new IllegalArgumentException("a " + kind + " target needs exactly its own location");
        }
    }

    /** A bucket or folder target (no SFTP server). */
    public Target(TargetId id, String name, Kind kind, S3Location s3, Path folder, Schedule schedule, boolean enabled,
                  long bandwidthLimit, Instant created, LastSync lastSync, Instant lastGoodSync) {
        this(id, name, kind, s3, folder, schedule, enabled, bandwidthLimit, created, lastSync, lastGoodSync, null);
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

    /** How the latest sync ended (or that it runs): when it started, objects and bytes it sent. */
    public record LastSync(Instant time, State state, long objects, long bytes, String error) {

        public enum State {
            RUNNING, SUCCEEDED, FAILED;

            public String label() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }
}
