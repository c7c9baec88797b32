package app.threefold.backend;

import java.net.URI;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: s3proxy on 127.0.0.1 on an ephemeral port, keeping objects in
 * memory, with SigV2/V4 authentication by one access key. Start it once per test class.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "threefold-test";
    public static final String SECRET_KEY = "threefold-test-secret-0123456789";
    public static final String REGION = "us-east-1";

    private final BlobStore store;
    private final S3Proxy proxy;
    private final AtomicInteger buckets = new AtomicInteger();

    private S3Server(BlobStore store, S3Proxy proxy) {
        this.store = store;
        this.proxy = proxy;
    }

    public static S3Server start() throws Exception {
        BlobStore store = BlobStores.create("transient", new Properties());
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .stopTimeout(0)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return new S3Server(store, proxy);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** A new, empty bucket with a name no other test uses. */
    public String createBucket() {
        String name = "bucket-" + buckets.incrementAndGet();
        store.createContainer(name);
        return name;
    }

    /** Removes the bucket and everything in it, so a long test class does not hold every object. */
    public void deleteBucket(String name) {
        store.deleteContainer(name);
    }

    /** Settings for a repository under {@code prefix} in {@code bucket}, with the defaults for a non-AWS server. */
    public S3Settings settings(String bucket, String prefix) {
        return S3Settings.of(endpoint(), REGION, bucket, prefix, ACCESS_KEY, SECRET_KEY);
    }

    /** What a person (or the test) has to put in restic's environment to open the bucket. */
    public java.util.Map<String, String> resticEnvironment() {
        return java.util.Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    }

    /**
     * A plain SDK client for tests that look at keys, plant foreign objects or damage objects
     * behind the backend's back. The caller closes it.
     */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        store.close();
    }
}
