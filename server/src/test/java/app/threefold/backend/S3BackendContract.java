package app.threefold.backend;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract against a real S3 server (s3proxy on 127.0.0.1), one fresh bucket per
 * test. Subclasses choose the client's settings; the server lives as long as the test class.
 */
abstract class S3BackendContract extends BackendContractTest {
    static final String PREFIX = "homes/nas";

    static S3Server server;
    String bucket;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    /** The settings for a fresh bucket; the defaults for a non-AWS server unless overridden. */
    S3Settings settings(String bucket) {
        return server.settings(bucket, PREFIX);
    }

    /** Builds the backend; overridden to lower upload buffers or listing pages. */
    S3Backend connect(S3Settings settings) throws Exception {
        return S3Backend.create(settings);
    }

    @Override
    protected Backend newBackend() throws Exception {
        bucket = server.createBucket();
        return connect(settings(bucket));
    }

    @Override
    protected void cleanUp(Backend backend) throws Exception {
        backend.close();
        server.deleteBucket(bucket);
    }
}
