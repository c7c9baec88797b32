package app.threefold.backend;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where an {@link S3Backend} keeps its repository and how it talks to the server.
 *
 * @param endpoint    the server's base URL, e.g. {@code https://s3.eu-central-003.backblazeb2.com}
 * @param region      the signing region; S3-compatible servers mostly accept any, AWS needs the bucket's
 * @param bucket      an existing bucket; Threefold never creates or deletes buckets
 * @param prefix      the folder inside the bucket that holds the repository, without leading or
 *                    trailing slashes; empty for the bucket's root
 * @param accessKey   the access key id
 * @param secretKey   the secret access key; never part of {@link #toString()}
 * @param pathStyle   {@code http://host/bucket/key} instead of {@code http://bucket.host/key};
 *                    needed by servers on an IP address or without wildcard DNS (MinIO, Garage)
 * @param checksums   when the client adds flexible checksums to requests and checks them on replies
 */
public record S3Settings(URI endpoint, String region, String bucket, String prefix, String accessKey,
                         String secretKey, boolean pathStyle, Checksums checksums) {

    /**
     * The AWS SDK's flexible checksums (CRC32 headers or {@code aws-chunked} trailers). AWS S3
     * checks them; many S3-compatible services reject the headers outright (Backblaze B2:
     * "Unsupported header 'x-amz-sdk-checksum-algorithm'"; Ceph RGW: a bare 400). Every upload
     * also carries a {@code Content-MD5} in either mode, which every S3 server checks.
     */
    public enum Checksums {
        /** Only where an operation demands one: works with every S3-compatible server. */
        WHEN_REQUIRED,
        /** On every request that supports one: AWS S3. */
        WHEN_SUPPORTED
    }

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(checksums, "checksums");
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
            throw new IllegalArgumentException("the S3 endpoint must be an http:// or https:// address with a host, not "
                    + endpoint);
        }
        if (endpoint.getRawPath() != null && !endpoint.getRawPath().isEmpty() && !endpoint.getRawPath().equals("/")) {
            throw new IllegalArgumentException("the S3 endpoint " + endpoint + " has a path; give the bucket and the "
                    + "folder inside it separately");
        }
        if ("/".equals(endpoint.getRawPath())) {
            endpoint = URI.create(endpoint.toString().substring(0, endpoint.toString().length() - 1));
        }
        if (region.isBlank()) {
            throw new IllegalArgumentException("the S3 region must not be empty; servers that ignore it accept us-east-1");
        }
        // Loose on purpose: providers differ (B2 allows capitals); this only keeps '/' and blanks out.
        if (!bucket.matches("[A-Za-z0-9][A-Za-z0-9._\\-]{1,61}[A-Za-z0-9]")) {
            throw new IllegalArgumentException("not a valid S3 bucket name: '" + bucket
                    + "' (3 to 63 letters, digits, dots and hyphens)");
        }
        prefix = stripSlashes(prefix);
        if (prefix.contains("//")) {
            throw new IllegalArgumentException("the folder inside the bucket must not contain '//': " + prefix);
        }
        if (accessKey.isBlank() || secretKey.isBlank()) {
            throw new IllegalArgumentException("the S3 access key and secret must not be empty");
        }
    }

    /**
     * Settings with the defaults for the provider the endpoint belongs to: AWS S3 gets
     * virtual-host addressing and flexible checksums, every other server path style and
     * checksums only where required.
     */
    public static S3Settings of(URI endpoint, String region, String bucket, String prefix, String accessKey,
                                String secretKey) {
        boolean aws = isAws(endpoint);
        return new S3Settings(endpoint, region, bucket, prefix, accessKey, secretKey, !aws,
                aws ? Checksums.WHEN_SUPPORTED : Checksums.WHEN_REQUIRED);
    }

    /** Whether the endpoint is Amazon's own S3. */
    public static boolean isAws(URI endpoint) {
        String host = endpoint.getHost() == null ? "" : endpoint.getHost().toLowerCase(Locale.ROOT);
        return host.equals("amazonaws.com") || host.endsWith(".amazonaws.com");
    }

    public S3Settings withChecksums(Checksums mode) {
        return new S3Settings(endpoint, region, bucket, prefix, accessKey, secretKey, pathStyle, mode);
    }

    public S3Settings withPathStyle(boolean on) {
        return new S3Settings(endpoint, region, bucket, prefix, accessKey, secretKey, on, checksums);
    }

    public S3Settings withCredentials(String key, String secret) {
        return new S3Settings(endpoint, region, bucket, prefix, key, secret, pathStyle, checksums);
    }

    /**
     * The repository as restic names it: {@code restic -r THIS} opens the same objects (with
     * {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} in the environment).
     */
    public String resticRepository() {
        String base = endpoint.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return "s3:" + base + "/" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** The object key of a path below the repository root. */
    String key(String path) {
        return prefix.isEmpty() ? path : prefix + "/" + path;
    }

    @Override
    public String toString() {
        return "S3Settings[" + resticRepository() + ", region=" + region + ", accessKey=" + accessKey
                + ", secretKey=***, pathStyle=" + pathStyle + ", checksums=" + checksums + "]";
    }

    private static String stripSlashes(String prefix) {
        int start = 0;
        int end = prefix.length();
        while (start < end && prefix.charAt(start) == '/') {
            start++;
        }
        while (end > start && prefix.charAt(end - 1) == '/') {
            end--;
        }
        return prefix.substring(start, end);
    }
}
