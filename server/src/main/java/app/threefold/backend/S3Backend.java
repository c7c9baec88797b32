package app.threefold.backend;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A repository in an S3 bucket (AWS S3, Backblaze B2, Wasabi, MinIO, Garage, Ceph RGW), laid out
 * exactly as restic's S3 backend lays it out below the prefix: {@code config}, {@code keys/<id>},
 * {@code locks/<id>}, {@code snapshots/<id>}, {@code index/<id>} and {@code data/<xx>/<id>}. So
 * {@code restic -r s3:ENDPOINT/BUCKET/PREFIX} opens what this backend wrote, and the reverse.
 *
 * <p>How it keeps the {@link Backend} contract on a store that has no rename:
 * <ul>
 *   <li>Atomic writes: an S3 PUT is atomic. Every upload declares its length and carries a
 *       {@code Content-MD5}, so the server stores the whole object or none of it and refuses a
 *       body damaged on the way. Objects up to {@link #BUFFERED_UPLOAD_LIMIT} are read into
 *       memory first (their MD5 must be known before the request starts; packs are 16 MiB);
 *       larger ones are streamed and checked afterwards against the ETag, or their length where
 *       the ETag is not an MD5, and removed if they differ.</li>
 *   <li>Immutability: a HEAD first refuses names that exist on every server; the PUT then carries
 *       {@code If-None-Match: *}, which AWS S3, MinIO, Ceph RGW and s3proxy honour, so that of two
 *       writers racing for one name only one wins. A server that rejects the header with 501 is
 *       remembered and sent plain PUTs; on such a server (and one that ignores the header) two
 *       writers racing between HEAD and PUT can both succeed, the last one's bytes winning. For
 *       content-addressed objects both carry the same bytes, so this loses nothing.</li>
 *   <li>Ranged reads check the length the server answers with, since S3 silently shortens a
 *       range past the end of an object.</li>
 * </ul>
 * Every object is a single PUT, so objects are limited to 5 GiB (restic's packs are at most
 * 128 MiB). Buckets are never created or deleted: they are the owner's, with their own
 * permissions and billing.
 */
public final class S3Backend implements Backend {

    /** Objects up to this size are uploaded from memory with a {@code Content-MD5}. */
    static final long BUFFERED_UPLOAD_LIMIT = 32L << 20;
    /** The most keys one listing request asks for; 1000 is S3's own maximum. */
    static final int LIST_PAGE_SIZE = 1000;

    private static final HexFormat HEX = HexFormat.of();
    private static final String CONTENT_TYPE = "application/octet-stream";
    private static final String NAME = "[0-9a-f]{64}";

    private final S3Settings settings;
    private final S3Client client;
    private final long bufferedUploadLimit;
    private final int listPageSize;
    /** Cleared once the server rejects {@code If-None-Match} on PUT, so it is not sent again. */
    private final AtomicBoolean conditionalWrites = new AtomicBoolean(true);

    S3Backend(S3Settings settings, long bufferedUploadLimit, int listPageSize) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.bufferedUploadLimit = bufferedUploadLimit;
        this.listPageSize = listPageSize;
        boolean everyRequest = settings.checksums() == S3Settings.Checksums.WHEN_SUPPORTED;
        this.client = S3Client.builder()
                .endpointOverride(settings.endpoint())
                .region(Region.of(settings.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())))
                .forcePathStyle(settings.pathStyle())
                .putAuthScheme(new UnsignedPayloads())
                .requestChecksumCalculation(everyRequest
                        ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(everyRequest
                        ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
                // A builder, not a client, so that closing the S3 client closes its connection pool too.
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2)))
                .build();
    }

    /**
     * Connects to an empty place for a new repository. Fails if the bucket is missing, the
     * credentials are refused, the server cannot be reached, or a config is already there.
     */
    public static S3Backend create(S3Settings settings) throws IOException {
        S3Backend backend = connect(settings);
        try {
            if (backend.exists(Handle.CONFIG)) {
                throw new RepositoryExistsException(backend.location());
            }
            return backend;
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** Connects to an existing repository; fails as {@link #create} does, or if it has no config. */
    public static S3Backend open(S3Settings settings) throws IOException {
        S3Backend backend = connect(settings);
        try {
            if (!backend.exists(Handle.CONFIG)) {
                throw new NotARepositoryException(backend.location(), "it has no config file");
            }
            return backend;
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private static S3Backend connect(S3Settings settings) throws IOException {
        S3Backend backend = new S3Backend(settings, BUFFERED_UPLOAD_LIMIT, LIST_PAGE_SIZE);
        try {
            backend.checkBucket();
            return backend;
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** Fails with the reason a person can act on unless the bucket is there and the key may use it. */
    void checkBucket() throws IOException {
        try {
            client.headBucket(b -> b.bucket(settings.bucket()));
        } catch (SdkException e) {
            if (e instanceof S3Exception s3 && s3.statusCode() == 404) {
                throw new NoSuchBucketException(endpoint(), settings.bucket());
            }
            throw failure("checking the bucket", e);
        }
    }

    @Override
    public String location() {
        return settings.resticRepository();
    }

    S3Settings settings() {
        return settings;
    }

    @Override
    public void save(Handle handle, InputStream data, long length) throws IOException {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        boolean replaceable = handle.type() == FileType.LOCK;
        // Read (or at least start reading) before asking the server, so that a stream of the wrong
        // length fails the same way whether or not the name is taken.
        byte[] bytes = length <= bufferedUploadLimit ? readExactly(handle, data, length) : null;
        if (!replaceable && exists(handle)) {
            throw new ObjectExistsException(handle, location());
        }
        if (bytes != null) {
            // The array is ours and never changes: the SDK may read it in place (fromBytes copies
            // it, 16 MiB per pack, 8 % of a sync's CPU).
            put(handle, replaceable, bytes.length, md5(bytes), RequestBody.fromContentProvider(
                    ContentStreamProvider.fromByteArrayUnsafe(bytes), bytes.length, CONTENT_TYPE), null);
        } else {
            ExactStream upload = new ExactStream(handle, data, length);
            boolean[] opened = {false};
            RequestBody body = RequestBody.fromContentProvider(() -> {
                // A streamed body cannot be sent twice; a retry belongs to the caller, who can reopen it.
                if (opened[0] && upload.consumed() > 0) {
                    throw new ResendRefused();
                }
                opened[0] = true;
                return upload;
            }, length, CONTENT_TYPE);
            PutObjectResponse response = put(handle, replaceable, length, null, body, upload);
            if (response != null) {
                verifyStreamed(handle, length, upload.digest(), response);
            }
        }
    }

    /** Sends one PUT; null if a retry found the same bytes already stored (so nothing is left to check). */
    private PutObjectResponse put(Handle handle, boolean replaceable, long length, byte[] md5, RequestBody body,
                                  ExactStream upload) throws IOException {
        boolean conditional = !replaceable && conditionalWrites.get();
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(settings.bucket())
                .key(key(handle))
                .contentLength(length)
                .contentType(CONTENT_TYPE);
        if (md5 != null) {
            request.contentMD5(Base64.getEncoder().encodeToString(md5));
        }
        if (conditional) {
            request.ifNoneMatch("*");
        }
        try {
            return client.putObject(request.build(), body);
        } catch (SdkException | ResendRefused e) {
            if (upload != null && upload.failure() != null) {
                throw upload.failure();
            }
            if (e instanceof ResendRefused) {
                throw new IOException("uploading " + handle.path() + " to " + location() + " failed part way and a "
                        + "streamed object cannot be sent twice; nothing was saved, send it again"
                        + (e.getSuppressed().length > 0 ? ": " + e.getSuppressed()[0].getMessage() : ""), e);
            }
            if (e instanceof S3Exception s3 && s3.statusCode() == 412 && conditional) {
                // Also what the SDK's own retry of a PUT that did arrive (its answer lost) gets back.
                byte[] sent = md5 != null ? md5 : upload.consumed() == length ? upload.digest() : null;
                if (sent != null && storedEtagIs(handle, sent)) {
                    return null;
                }
                throw new ObjectExistsException(handle, location());
            }
            if (e instanceof S3Exception s3 && s3.statusCode() == 501 && conditional && upload == null) {
                conditionalWrites.set(false);
                return put(handle, false, length, md5, body, null);
            }
            throw failure("uploading " + handle.path(), (SdkException) e);
        }
    }

    /** The SDK asked for a streamed body a second time, to retry a failed attempt. */
    private static final class ResendRefused extends RuntimeException {
        ResendRefused() {
            super("a streamed body cannot be sent twice", null, true, false);
        }
    }

    /** Whether the object under the name has exactly the bytes whose MD5 is given. */
    private boolean storedEtagIs(Handle handle, byte[] md5) throws IOException {
        String etag;
        try {
            etag = client.headObject(b -> b.bucket(settings.bucket()).key(key(handle))).eTag();
        } catch (SdkException e) {
            throw failure("looking up " + handle.path(), e, handle);
        }
        return etag != null && etag.replace("\"", "").equalsIgnoreCase(HEX.formatHex(md5));
    }

    /**
     * A streamed upload had no {@code Content-MD5}: compare what the server stored with what was
     * sent, and take the object away again if they differ, so no damaged object stays behind.
     */
    private void verifyStreamed(Handle handle, long length, byte[] md5, PutObjectResponse response)
            throws IOException {
        String etag = response.eTag() == null ? "" : response.eTag().replace("\"", "").toLowerCase(Locale.ROOT);
        String problem = null;
        if (etag.matches("[0-9a-f]{32}")) {
            if (!etag.equals(HEX.formatHex(md5))) {
                problem = "its MD5 on the server is " + etag + ", not " + HEX.formatHex(md5);
            }
        } else {
            long stored = stat(handle);
            if (stored != length) {
                problem = "the server stored " + stored + " of " + length + " bytes";
            }
        }
        if (problem != null) {
            remove(handle);
            throw new IOException(handle.path() + " was damaged on its way to " + location() + " (" + problem
                    + "); it was removed again, send it again");
        }
    }

    /**
     * Yes: a buffered PUT carries a {@code Content-MD5} the server checks before it stores
     * anything, a streamed one is compared with the ETag (or its stored length) afterwards.
     */
    @Override
    public boolean savesAreVerified() {
        return true;
    }

    @Override
    public InputStream open(Handle handle, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(settings.bucket()).key(key(handle));
        if (offset > 0 || length > 0) {
            request.range("bytes=" + offset + "-" + (length == 0 ? "" : Long.toString(offset + length - 1)));
        }
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = client.getObject(request.build());
        } catch (SdkException e) {
            if (e instanceof S3Exception s3 && s3.statusCode() == 416) {
                // Past the end, or exactly at it with nothing asked for but "the rest".
                long size = stat(handle);
                if (length == 0 && offset == size) {
                    return InputStream.nullInputStream();
                }
                throw pastTheEnd(handle, size, offset, length == 0 ? size : offset + length);
            }
            throw failure("reading " + handle.path(), e, handle);
        }
        Long announced = in.response().contentLength();
        if (announced == null) {
            in.abort();
            throw new IOException("the server's answer for " + handle.path() + " in " + location()
                    + " did not say how long it is, so a cut-off answer could not be told from a whole one");
        }
        long answered = announced;
        long expected = length == 0 ? answered : length;
        if (answered != expected) {
            // S3 shortens a range that runs past the end instead of refusing it.
            in.abort();
            long size = sizeFromContentRange(in.response().contentRange(), offset + answered);
            throw pastTheEnd(handle, size, offset, offset + length);
        }
        return new ResponseStream(handle, in, expected);
    }

    private EOFException pastTheEnd(Handle handle, long size, long from, long to) {
        return new EOFException(handle.path() + " in " + location() + " has " + size + " bytes; cannot read bytes "
                + from + " to " + to + "; the index may point past the end of a damaged or truncated object");
    }

    private static long sizeFromContentRange(String contentRange, long fallback) {
        // "bytes 990-999/1000"
        if (contentRange != null) {
            int slash = contentRange.lastIndexOf('/');
            if (slash >= 0) {
                try {
                    return Long.parseLong(contentRange.substring(slash + 1).trim());
                } catch (NumberFormatException e) {
                    return fallback;
                }
            }
        }
        return fallback;
    }

    @Override
    public long stat(Handle handle) throws IOException {
        try {
            return client.headObject(b -> b.bucket(settings.bucket()).key(key(handle))).contentLength();
        } catch (SdkException e) {
            throw failure("looking up " + handle.path(), e, handle);
        }
    }

    @Override
    public void list(FileType type, Consumer<ObjectInfo> each) throws IOException {
        String folder = type == FileType.CONFIG ? key(Handle.CONFIG.path()) : key(type.folder()) + "/";
        ListObjectsV2Request request = ListObjectsV2Request.builder()
                .bucket(settings.bucket())
                .prefix(folder)
                .maxKeys(listPageSize)
                .build();
        try {
            for (ListObjectsV2Response page : client.listObjectsV2Paginator(request)) {
                for (S3Object object : page.contents()) {
                    Handle handle = handleOf(type, object.key().substring(folder.length()));
                    if (handle != null) {
                        each.accept(new ObjectInfo(handle, object.size()));
                    }
                }
            }
        } catch (SdkException e) {
            throw failure("listing " + (type == FileType.CONFIG ? "the config" : type.folder() + "/"), e);
        }
    }

    /** The handle a key below the type's folder names, or null if it names no object of the type. */
    private static Handle handleOf(FileType type, String rest) {
        return switch (type) {
            case CONFIG -> rest.isEmpty() ? Handle.CONFIG : null;
            case PACK -> rest.length() == 67 && rest.charAt(2) == '/' && rest.substring(3).matches(NAME)
                    && rest.startsWith(rest.substring(3, 5)) ? new Handle(type, rest.substring(3)) : null;
            default -> rest.matches(NAME) ? new Handle(type, rest) : null;
        };
    }

    @Override
    public void remove(Handle handle) throws IOException {
        try {
            // S3 answers 204 for a key that is not there, so removing twice is no error.
            client.deleteObject(b -> b.bucket(settings.bucket()).key(key(handle)));
        } catch (SdkException e) {
            throw failure("removing " + handle.path(), e);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "S3Backend[" + location() + "]";
    }

    private String key(Handle handle) {
        return settings.key(handle.path());
    }

    private String key(String path) {
        return settings.key(path);
    }

    private String endpoint() {
        return settings.endpoint().toString();
    }

    private IOException failure(String action, SdkException e, Handle handle) {
        if (e instanceof S3Exception s3 && s3.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(s3))) {
            NoSuchObjectException missing = new NoSuchObjectException(handle, location());
            missing.initCause(e);
            return missing;
        }
        return failure(action, e);
    }

    /** The one place where the SDK's exceptions become ones a person (or a caller) can act on. */
    private IOException failure(String action, SdkException e) {
        if (e instanceof S3Exception s3) {
            String code = errorCode(s3);
            if (s3.statusCode() == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
                String detail = "HTTP 403" + (code == null ? "" : " " + code) + " while " + action;
                CredentialsRefusedException refused = new CredentialsRefusedException(location(), detail);
                refused.initCause(e);
                return refused;
            }
            if ("NoSuchBucket".equals(code)) {
                NoSuchBucketException missing = new NoSuchBucketException(endpoint(), settings.bucket());
                missing.initCause(e);
                return missing;
            }
            return new IOException(action + " at " + location() + " failed: HTTP " + s3.statusCode()
                    + (code == null ? "" : " " + code) + " " + Objects.requireNonNullElse(message(s3), ""), e);
        }
        if (e instanceof SdkClientException && unreachable(e)) {
            return new BackendUnreachableException(location(), rootCause(e));
        }
        return new IOException(action + " at " + location() + " failed: " + e.getMessage(), e);
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static String message(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
    }

    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t instanceof HttpConnectTimeoutException
                    || t instanceof SocketTimeoutException && String.valueOf(t.getMessage()).contains("connect")) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static byte[] readExactly(Handle handle, InputStream data, long length) throws IOException {
        byte[] bytes = data.readNBytes((int) length);
        if (bytes.length < length) {
            throw endedEarly(handle, bytes.length, length);
        }
        if (data.read() >= 0) {
            throw tooLong(handle, length);
        }
        return bytes;
    }

    private static EOFException endedEarly(Handle handle, long read, long length) {
        return new EOFException("the data for " + handle.path() + " ended after " + read + " of " + length
                + " bytes; nothing was saved, send the object again");
    }

    private static IOException tooLong(Handle handle, long length) {
        return new IOException("the data for " + handle.path() + " is longer than the announced " + length
                + " bytes; nothing was saved, send the object again with its real length");
    }

    private static byte[] md5(byte[] bytes) {
        return newMd5().digest(bytes);
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5, which every JDK must have", e);
        }
    }

    /**
     * The body of a streamed upload: exactly {@code length} bytes of the caller's stream, hashed
     * on the way. It fails before handing over the last bytes if the stream is longer, so the
     * request is cut short and the server stores nothing; a failure of the caller's stream is
     * kept, so that it, not the SDK's wrapper of it, reaches the caller.
     */
    private static final class ExactStream extends InputStream {
        private final Handle handle;
        private final InputStream source;
        private final long length;
        private final MessageDigest md5 = newMd5();
        private byte[] digest;
        private long remaining;
        private IOException failure;

        ExactStream(Handle handle, InputStream source, long length) {
            this.handle = handle;
            this.source = source;
            this.length = length;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            Objects.checkFromIndexSize(offset, count, buffer.length);
            if (failure != null) {
                throw failure;
            }
            if (remaining == 0) {
                return -1;
            }
            if (count == 0) {
                return 0;
            }
            try {
                int read = source.read(buffer, offset, (int) Math.min(count, remaining));
                if (read < 0) {
                    throw endedEarly(handle, length - remaining, length);
                }
                remaining -= read;
                if (remaining == 0 && source.read() >= 0) {
                    throw tooLong(handle, length);
                }
                md5.update(buffer, offset, read);
                return read;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        long consumed() {
            return length - remaining;
        }

        IOException failure() {
            return failure;
        }

        /** The MD5 of everything read; call it only once the whole object went out. */
        byte[] digest() {
            if (digest == null) {
                digest = md5.digest();
            }
            return digest;
        }
    }

    /** The body of a GET: exactly the bytes announced, or an exception naming the object. */
    private static final class ResponseStream extends InputStream {
        private final Handle handle;
        private final ResponseInputStream<GetObjectResponse> in;
        private long remaining;

        ResponseStream(Handle handle, ResponseInputStream<GetObjectResponse> in, long length) {
            this.handle = handle;
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            Objects.checkFromIndexSize(offset, count, buffer.length);
            if (remaining == 0) {
                return -1;
            }
            if (count == 0) {
                return 0;
            }
            int read;
            try {
                read = in.read(buffer, offset, (int) Math.min(count, remaining));
            } catch (SdkException e) {
                throw new IOException("reading " + handle.path() + " failed with " + remaining
                        + " bytes to go: " + e.getMessage(), e);
            }
            if (read < 0) {
                throw new EOFException("the server's answer for " + handle.path() + " ended with " + remaining
                        + " bytes missing; read it again");
            }
            remaining -= read;
            return read;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        @Override
        public void close() throws IOException {
            if (remaining > 0) {
                // Closing would read the rest of the body to reuse the connection; drop it instead.
                in.abort();
            }
            in.close();
        }
    }
}
