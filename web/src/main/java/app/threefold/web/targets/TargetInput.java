package app.threefold.web.targets;

import app.threefold.backend.S3Settings;
import app.threefold.mirror.InvalidTargetException;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads what a person typed (in the panel or the API) into the settings {@code mirror.Targets}
 * takes; a value that cannot be one is refused with a message naming the field.
 */
final class TargetInput {

    /** Bytes per second in one megabit per second: home uplinks are sold in Mbit/s. */
    static final long BYTES_PER_MBIT = 125_000;

    private TargetInput() {
    }

    /**
     * A bucket's settings. {@code pathStyle} and {@code checksums} null take the provider's defaults
     * (AWS: virtual-host addressing and flexible checksums; any other server: path style, checksums
     * only where required).
     *
     * @throws InvalidTargetException naming what to correct
     */
    static S3Settings s3(String endpoint, String region, String bucket, String prefix, String accessKey, String secretKey,
                         Boolean pathStyle, String checksums) {
        URI uri = endpoint(endpoint);
        S3Settings s3;
        try {
            s3 = S3Settings.of(uri, required(region, "region", "us-east-1"), required(bucket, "bucket", "family-backup"),
                    prefix == null ? "" : prefix.strip(), required(accessKey, "access key", "the key id"),
                    required(secretKey, "secret key", "the application key"));
            if (pathStyle != null) {
                s3 = s3.withPathStyle(pathStyle);
            }
            if (checksums != null && !checksums.isBlank()) {
                s3 = s3.withChecksums(checksums(checksums));
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidTargetException(capitalized(e.getMessage()) + ".", e);
        }
        return s3;
    }

    static URI endpoint(String endpoint) {
        String text = required(endpoint, "endpoint", "https://s3.eu-central-003.backblazeb2.com");
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null) {
            throw new InvalidTargetException("Give the S3 endpoint as an address like"
                    + " https://s3.eu-central-003.backblazeb2.com; '" + text + "' is not one.");
        }
        return uri;
    }

    static S3Settings.Checksums checksums(String text) {
        try {
            return S3Settings.Checksums.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidTargetException("checksums is when_required (any S3-compatible server) or when_supported"
                    + " (AWS S3), not '" + text + "'.");
        }
    }

    /** @throws InvalidTargetException if {@code path} is empty or not a path */
    static Path folder(String path) {
        String text = required(path, "folder", "/media/usb/threefold");
        try {
            Path folder = Path.of(text);
            if (!folder.isAbsolute()) {
                throw new InvalidTargetException("Give the folder as an absolute path, e.g. /media/usb/threefold; '"
                        + text + "' is not one.");
            }
            return folder.normalize();
        } catch (InvalidPathException e) {
            throw new InvalidTargetException("'" + text + "' is not a folder path; give one like /media/usb/threefold.");
        }
    }

    /** A limit typed in Mbit/s ("", "0": none) as bytes per second. */
    static long megabits(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return 0;
        }
        try {
            double mbit = Double.parseDouble(t);
            if (mbit < 0 || Double.isNaN(mbit) || Double.isInfinite(mbit)) {
                throw new NumberFormatException();
            }
            return Math.round(mbit * BYTES_PER_MBIT);
        } catch (NumberFormatException e) {
            throw new InvalidTargetException("Give the bandwidth limit in Mbit/s, e.g. 20, or leave it empty for none; '"
                    + t + "' is not one.");
        }
    }

    private static String required(String value, String field, String example) {
        if (value == null || value.isBlank()) {
            throw new InvalidTargetException("Give the " + field + " (e.g. " + example + ").");
        }
        return value.strip();
    }

    private static String capitalized(String s) {
        return s == null || s.isEmpty() ? "Invalid S3 settings" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
