package app.threefold.mirror;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * {@code bench/mirror/run}'s S3 server, run as a process of its own so that it shares no JVM with
 * either client it serves: s3proxy on 127.0.0.1 keeping objects on disk below {@code DIR}, one
 * access key, the buckets named on the command line created empty. It prints one line once it
 * listens and serves until it is killed.
 *
 * <p>Usage: {@code BenchS3Server DIR PORT ACCESS_KEY SECRET_KEY BUCKET...}
 */
public final class BenchS3Server {

    private BenchS3Server() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: BenchS3Server DIR PORT ACCESS_KEY SECRET_KEY BUCKET...");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
        BlobStore store = BlobStores.create("filesystem", properties);
        for (String bucket : Arrays.asList(args).subList(4, args.length)) {
            store.createContainer(bucket);
        }
        S3Proxy proxy = S3Proxy.builder().blobStore(store).endpoint(URI.create("http://127.0.0.1:" + args[1]))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, args[2], args[3]).stopTimeout(0).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        System.out.println("s3 server listening on http://127.0.0.1:" + proxy.getPort());
        Thread.currentThread().join();
    }
}
