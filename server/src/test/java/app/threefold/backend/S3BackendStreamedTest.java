package app.threefold.backend;

/**
 * The contract with every upload streamed instead of buffered (as objects above 32 MiB are) and
 * listings paged three keys at a time, so both paths run on the small objects of the suite.
 */
class S3BackendStreamedTest extends S3BackendContract {

    @Override
    S3Backend connect(S3Settings settings) throws Exception {
        S3Backend backend = new S3Backend(settings, 0, 3);
        backend.checkBucket();
        return backend;
    }
}
