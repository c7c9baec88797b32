package app.threefold.mirror;

import app.threefold.backend.S3Settings;
import java.net.URI;
import java.util.Locale;

/**
 * A bucket target's settings as a person typed them (in the panel or the API), before they are
 * checked: the edge hands them over as text, {@link Targets} reads them into the backend's settings
 * and refuses what cannot be one with a message naming the field.
 *
 * @param secretKey  when changing a target, null or blank keeps the stored one
 * @param pathStyle  null takes the provider's default (AWS: virtual-host addressing; any other server: path style)
 * @param checksums  {@code when_required} or {@code when_supported}; null or blank takes the provider's default
 */
public record BucketSettings(String endpoint, String region, String bucket, String prefix, String accessKey,
                             String secretKey, Boolean pathStyle, String checksums) {

    /** Everything but the secret, which no log line or message may carry. */
    @Override
    public String toString() {
        return "BucketSettings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null || secretKey.isBlank() ? "(kept)" : "***")
                + ", pathStyle=" + pathStyle + ", checksums=" + checksums + "]";
    }

    /**
     * Checks the settings without storing anything, so that an edge can refuse a whole change
     * before any part of it is made; a blank secret counts as kept.
     *
     * @throws InvalidTargetException naming what to correct
     */
    public BucketSettings check() {
        checked("kept");
        return this;
    }

    /** Whether the stored secret stays: a change that does not give a new one. */
    boolean keepsSecret() {
        return secretKey == null || secretKey.isBlank();
    }

    /**
     * The checked settings, for opening the bucket elsewhere than as a target (recovering from it).
     *
     * @throws InvalidTargetException naming what to correct
     */
    public S3Settings settings() {
        return checked(null);
    }

    /**
     * The checked settings; {@code secretStandIn} takes the place of a kept secret (it is never sent).
     *
     * @throws InvalidTargetException naming what to correct
     */
    S3Settings checked(String secretStandIn) {
        URI uri = endpoint(endpoint);
        try {
            S3Settings s3 = S3Settings.of(uri, required(region, "region", "us-east-1"),
                    required(bucket, "bucket", "family-backup"), prefix == null ? "" : prefix.strip(),
                    required(accessKey, "access key", "the key id"),
                    keepsSecret() && secretStandIn != null ? secretStandIn
                            : required(secretKey, "secret key", "the application key"));
            if (pathStyle != null) {
                s3 = s3.withPathStyle(pathStyle);
            }
            if (checksums != null && !checksums.isBlank()) {
                s3 = s3.withChecksums(checksums(checksums));
            }
            return s3;
        } catch (IllegalArgumentException e) {
            throw new InvalidTargetException(capitalized(e.getMessage()) + ".", e);
        }
    }

    private static URI endpoint(String endpoint) {
        String text = required(endpoint, "endpoint", "https://s3.eu-central-003.backblazeb2.com");
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new InvalidTargetException("Give the S3 endpoint as an address like"
                    + " https://s3.eu-central-003.backblazeb2.com; '" + text + "' is not one.", e);
        }
        if (uri.getHost() == null) {
            throw new InvalidTargetException("Give the S3 endpoint as an address like"
                    + " https://s3.eu-central-003.backblazeb2.com; '" + text + "' is not one.");
        }
        return uri;
    }

    private static S3Settings.Checksums checksums(String text) {
        try {
            return S3Settings.Checksums.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidTargetException("checksums is when_required (any S3-compatible server) or when_supported"
                    + " (AWS S3), not '" + text + "'.", e);
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
