package app.threefold.backend;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a copy of a repository is, written as restic writes it on its command line, so a person
 * types the same {@code -r} / {@code --repo} for both programs:
 * <ul>
 *   <li>a folder: {@code /mnt/usb/threefold} (an appliance's {@code DIR/repository}, a USB copy);</li>
 *   <li>an S3 bucket: {@code s3:https://host[:port]/bucket/prefix}, {@code s3:http://…} for a
 *       server without TLS, or {@code s3:host/bucket/prefix}, which means https. Credentials come
 *       from {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, the signing region from
 *       {@code AWS_DEFAULT_REGION} (default {@value #DEFAULT_REGION}), as for restic; path style
 *       and checksums follow the endpoint as in {@link S3Settings#of}.</li>
 *   <li>an SFTP server (a paired friend's Threefold): {@code sftp://USER@HOST:PORT/PATH}, PATH
 *       relative to the account's login folder ({@code sftp://USER@HOST:PORT/} for the folder
 *       itself, {@code sftp://USER@HOST:PORT//srv/copy} for an absolute path, as restic writes
 *       it). The host key fingerprint and the key file (or password) come from {@link SftpAccess}.</li>
 * </ul>
 */
public sealed interface Location {

    /** The region servers that ignore regions accept, and restic's default too. */
    String DEFAULT_REGION = "us-east-1";

    /** Opens the repository there for reading and writing; fails if there is none. */
    Backend open() throws IOException;

    /** The location as a person (or restic) writes it; never contains a secret. */
    String display();

    /** A repository in a local folder. */
    record Folder(Path path) implements Location {
        public Folder {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public Backend open() throws IOException {
            return LocalBackend.open(path);
        }

        @Override
        public String display() {
            return path.toString();
        }
    }

    /** A repository in an S3 bucket. */
    record S3(S3Settings settings) implements Location {
        public S3 {
            Objects.requireNonNull(settings, "settings");
        }

        @Override
        public Backend open() throws IOException {
            return S3Backend.open(settings);
        }

        @Override
        public String display() {
            return settings.resticRepository();
        }

        @Override
        public String toString() {
            return "S3[" + settings + "]";
        }
    }

    /** A repository on an SFTP server, opened through the SSH client the appliance wires in. */
    record Sftp(SftpSettings settings, SftpBackends backends) implements Location {
        public Sftp {
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(backends, "backends");
        }

        @Override
        public Backend open() throws IOException {
            return backends.open(settings);
        }

        @Override
        public String display() {
            return settings.display();
        }
    }

    /**
     * What an {@code sftp://} location needs besides its address.
     *
     * @param hostKey  the server's SHA256 host key fingerprint, or null
     * @param keyFile  the private key to log in with, or null
     * @param password the password to log in with, or null
     * @param backends the SSH client
     */
    record SftpAccess(String hostKey, Path keyFile, String password, SftpBackends backends) {
        public static final SftpAccess NONE = new SftpAccess(null, null, null, SftpBackends.NONE);

        @Override
        public String toString() {
            return "SftpAccess[hostKey=" + hostKey + ", keyFile=" + keyFile + (password == null ? "" : ", password=****")
                    + "]";
        }
    }

    /**
     * Reads a location as restic does, taking S3 credentials and region from {@code env}; an
     * {@code sftp://} location is refused (it needs {@link SftpAccess}).
     *
     * @throws InvalidLocationException naming what is wrong with it and how to write it
     */
    static Location parse(String text, Map<String, String> env) {
        return parse(text, env, SftpAccess.NONE);
    }

    /**
     * Reads a location as restic does, taking S3 credentials and region from {@code env} and what an
     * SFTP server needs from {@code sftp}.
     *
     * @throws InvalidLocationException naming what is wrong with it and how to write it
     */
    static Location parse(String text, Map<String, String> env, SftpAccess sftp) {
        Objects.requireNonNull(sftp, "sftp");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(env, "env");
        if (text.isBlank()) {
            throw new InvalidLocationException(text, "it is empty; give a folder or s3:ENDPOINT/BUCKET/PREFIX");
        }
        String scheme = text.contains(":") ? text.substring(0, text.indexOf(':')).toLowerCase(Locale.ROOT) : "";
        return switch (scheme) {
            case "s3" -> new S3(s3(text, env));
            case "sftp" -> new Sftp(sftp(text, sftp), sftp.backends());
            case "peer", "rest", "b2", "azure", "gs", "swift", "rclone" -> throw new InvalidLocationException(text,
                    "this build reads folders, S3 buckets and SFTP servers only; copy the repository to a folder, or"
                            + " give s3:ENDPOINT/BUCKET/PREFIX or sftp://USER@HOST:PORT/PATH");
            default -> new Folder(Path.of(text));
        };
    }

    private static SftpSettings sftp(String text, SftpAccess access) {
        String how = "write it as sftp://USER@HOST:PORT/PATH (PATH relative to the login folder, empty for the folder"
                + " itself)";
        if (!text.regionMatches(true, 0, "sftp://", 0, 7)) {
            throw new InvalidLocationException(text, how);
        }
        String rest = text.substring(7);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        int at = authority.lastIndexOf('@');
        if (at <= 0) {
            throw new InvalidLocationException(text, "it names no user; " + how);
        }
        String user = authority.substring(0, at);
        if (user.contains(":")) {
            throw new InvalidLocationException(text, "give no password in the address; " + how);
        }
        String hostPort = authority.substring(at + 1);
        String host;
        String port = "22";
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new InvalidLocationException(text, "an IPv6 address needs its closing ']'; " + how);
            }
            host = hostPort.substring(1, close);
            if (hostPort.length() > close + 1) {
                if (hostPort.charAt(close + 1) != ':') {
                    throw new InvalidLocationException(text, how);
                }
                port = hostPort.substring(close + 2);
            }
        } else {
            int colon = hostPort.indexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            if (colon >= 0) {
                port = hostPort.substring(colon + 1);
            }
        }
        int portNumber;
        try {
            portNumber = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new InvalidLocationException(text, "'" + port + "' is not a port number; " + how);
        }
        if (access.hostKey() == null || access.hostKey().isBlank()) {
            throw new InvalidLocationException(text, "give the server's host key fingerprint (--host-key SHA256:…), so"
                    + " no other machine can pose as it");
        }
        if (access.keyFile() == null && (access.password() == null || access.password().isEmpty())) {
            throw new InvalidLocationException(text, "give the key file to log in with (--key FILE, the pairing key)");
        }
        try {
            return new SftpSettings(user, host, portNumber, path, access.hostKey(), access.keyFile(), access.password());
        } catch (IllegalArgumentException e) {
            throw new InvalidLocationException(text, e.getMessage());
        }
    }

    private static S3Settings s3(String text, Map<String, String> env) {
        String rest = text.substring(3);
        URI endpoint;
        String path;
        if (rest.regionMatches(true, 0, "http://", 0, 7) || rest.regionMatches(true, 0, "https://", 0, 8)) {
            URI url;
            try {
                url = new URI(rest);
            } catch (URISyntaxException e) {
                throw new InvalidLocationException(text, "it is not a valid address (" + e.getReason()
                        + "); write it as s3:https://HOST[:PORT]/BUCKET/PREFIX");
            }
            if (url.getHost() == null || url.getRawQuery() != null || url.getRawFragment() != null
                    || url.getRawUserInfo() != null) {
                throw new InvalidLocationException(text, "write it as s3:https://HOST[:PORT]/BUCKET/PREFIX, with no "
                        + "user, query or fragment (credentials go in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
            }
            endpoint = URI.create(url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getRawAuthority());
            path = url.getPath() == null ? "" : url.getPath();
        } else {
            // restic: the first part is the host, and the connection is https.
            String withoutSlashes = rest.startsWith("//") ? rest.substring(2) : rest;
            int slash = withoutSlashes.indexOf('/');
            String host = slash < 0 ? withoutSlashes : withoutSlashes.substring(0, slash);
            path = slash < 0 ? "" : withoutSlashes.substring(slash);
            if (host.isEmpty()) {
                throw new InvalidLocationException(text, "it names no server; write it as s3:HOST/BUCKET/PREFIX or "
                        + "s3:https://HOST[:PORT]/BUCKET/PREFIX");
            }
            try {
                endpoint = new URI("https://" + host);
            } catch (URISyntaxException e) {
                throw new InvalidLocationException(text, "'" + host + "' is not a host name (" + e.getReason() + ")");
            }
        }
        String bucketAndPrefix = path.startsWith("/") ? path.substring(1) : path;
        int slash = bucketAndPrefix.indexOf('/');
        String bucket = slash < 0 ? bucketAndPrefix : bucketAndPrefix.substring(0, slash);
        String prefix = slash < 0 ? "" : bucketAndPrefix.substring(slash + 1);
        if (bucket.isEmpty()) {
            throw new InvalidLocationException(text, "it names no bucket; write it as s3:" + endpoint + "/BUCKET/PREFIX");
        }
        String accessKey = env.getOrDefault("AWS_ACCESS_KEY_ID", "").trim();
        String secretKey = env.getOrDefault("AWS_SECRET_ACCESS_KEY", "").trim();
        if (accessKey.isEmpty() || secretKey.isEmpty()) {
            throw new InvalidLocationException(text, "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                    + "in the environment to the bucket's access key and secret (as for restic)");
        }
        String region = env.getOrDefault("AWS_DEFAULT_REGION", "").trim();
        try {
            return S3Settings.of(endpoint, region.isEmpty() ? DEFAULT_REGION : region, bucket, prefix, accessKey, secretKey);
        } catch (IllegalArgumentException e) {
            throw new InvalidLocationException(text, e.getMessage());
        }
    }
}
