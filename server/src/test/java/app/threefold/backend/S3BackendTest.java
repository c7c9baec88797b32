package app.threefold.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The contract with the defaults for an S3-compatible server (checksums only where required,
 * path style), plus what only an S3 bucket has: restic's key layout under a prefix, foreign keys,
 * long listings, and the failures a person meets while setting a bucket up.
 */
class S3BackendTest extends S3BackendContract {

    @Test
    void objects_are_stored_under_the_prefix_at_the_keys_restics_s3_backend_uses() throws IOException {
        Handle key = randomHandle(FileType.KEY);
        Handle pack = randomHandle(FileType.PACK);
        Handle index = randomHandle(FileType.INDEX);
        Handle snapshot = randomHandle(FileType.SNAPSHOT);
        Handle lock = randomHandle(FileType.LOCK);
        for (Handle handle : List.of(Handle.CONFIG, key, pack, index, snapshot, lock)) {
            backend.save(handle, randomBytes(10));
        }

        assertThat(keysInBucket()).containsExactlyInAnyOrder(
                "homes/nas/config",
                "homes/nas/keys/" + key.name(),
                "homes/nas/data/" + pack.name().substring(0, 2) + "/" + pack.name(),
                "homes/nas/index/" + index.name(),
                "homes/nas/snapshots/" + snapshot.name(),
                "homes/nas/locks/" + lock.name());
        assertThat(backend.location()).isEqualTo("s3:" + server.endpoint() + "/" + bucket + "/homes/nas");
    }

    @Test
    void a_repository_at_the_root_of_a_bucket_has_no_prefix() throws Exception {
        String rootBucket = server.createBucket();
        try (S3Backend root = S3Backend.create(server.settings(rootBucket, "/"))) {
            Handle key = randomHandle(FileType.KEY);
            root.save(key, randomBytes(5));
            root.save(Handle.CONFIG, randomBytes(5));

            try (S3Client client = server.client()) {
                assertThat(client.listObjectsV2(b -> b.bucket(rootBucket)).contents()).extracting(S3Object::key)
                        .containsExactlyInAnyOrder("config", "keys/" + key.name());
            }
            assertThat(root.location()).isEqualTo("s3:" + server.endpoint() + "/" + rootBucket);
        } finally {
            server.deleteBucket(rootBucket);
        }
    }

    @Test
    void keys_that_are_not_objects_of_the_repository_are_not_listed() throws IOException {
        Handle key = randomHandle(FileType.KEY);
        backend.save(key, randomBytes(10));
        String id = "ab" + "0".repeat(62);
        try (S3Client client = server.client()) {
            for (String foreign : List.of("homes/nas/keys/README", "homes/nas/keys/", "homes/nas/config.bak",
                    "homes/nas/data/ab/" + id + ".bak", "homes/nas/data/not-a-prefix/" + id,
                    "homes/nas/data/cd/" + id, "homes/nas/data/" + id,
                    "homes/nas2/keys/" + id, "homes/nas2/config", "homes/keys/" + id, "keys/" + id)) {
                client.putObject(b -> b.bucket(bucket).key(foreign), RequestBody.fromString("x"));
            }
        }

        assertThat(listed(FileType.KEY)).containsOnlyKeys(key);
        assertThat(listed(FileType.PACK)).isEmpty();
        assertThat(listed(FileType.CONFIG)).isEmpty();
    }

    @Test
    void a_listing_longer_than_one_page_of_a_thousand_keys_is_complete() throws Exception {
        int count = 1_037;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Handle>> saves = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                byte[] content = ("index " + i).getBytes(StandardCharsets.UTF_8);
                saves.add(pool.submit(() -> {
                    Handle handle = handleFor(FileType.INDEX, content);
                    backend.save(handle, content);
                    return handle;
                }));
            }
            List<Handle> saved = new ArrayList<>();
            for (Future<Handle> save : saves) {
                saved.add(save.get());
            }

            Map<Handle, Long> listed = listed(FileType.INDEX);

            assertThat(listed).hasSize(count).containsOnlyKeys(saved);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void of_eight_writers_racing_to_save_one_name_exactly_one_wins() throws Exception {
        Handle handle = randomHandle(FileType.PACK);
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            contents.add(randomBytes(256 << 10));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(contents.size());
        AtomicInteger refused = new AtomicInteger();
        List<Future<byte[]>> attempts = new ArrayList<>();
        try {
            for (byte[] content : contents) {
                attempts.add(pool.submit((Callable<byte[]>) () -> {
                    start.await();
                    backend.save(handle, content);
                    return content;
                }));
            }
            start.countDown();
            List<byte[]> winners = new ArrayList<>();
            for (Future<byte[]> attempt : attempts) {
                try {
                    winners.add(attempt.get());
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ObjectExistsException.class);
                    refused.incrementAndGet();
                }
            }

            assertThat(winners.size()).as("writers whose save succeeded").isEqualTo(1);
            assertThat(refused).hasValue(7);
            assertThat(backend.readAll(handle)).isEqualTo(winners.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void create_refuses_a_place_that_already_holds_a_repository_and_open_one_that_does_not() throws IOException {
        S3Settings settings = server.settings(bucket, PREFIX);
        assertThatThrownBy(() -> S3Backend.open(settings))
                .isInstanceOf(NotARepositoryException.class)
                .hasMessageContaining(settings.resticRepository())
                .hasMessageContaining("no config");

        backend.save(Handle.CONFIG, randomBytes(20));

        assertThatThrownBy(() -> S3Backend.create(settings))
                .isInstanceOf(RepositoryExistsException.class)
                .hasMessageContaining(settings.resticRepository());
        try (S3Backend reopened = S3Backend.open(settings)) {
            assertThat(reopened.stat(Handle.CONFIG)).isEqualTo(20);
        }
    }

    @Test
    void a_wrong_secret_is_reported_as_refused_credentials_naming_the_bucket() {
        S3Settings wrong = server.settings(bucket, PREFIX).withCredentials(S3Server.ACCESS_KEY, "not-the-secret");

        assertThatThrownBy(() -> S3Backend.open(wrong))
                .isInstanceOf(CredentialsRefusedException.class)
                .hasMessageContaining(server.endpoint() + "/" + bucket)
                .hasMessageContaining("check the access key and secret")
                .hasMessageNotContaining("not-the-secret");
    }

    @Test
    void an_unknown_access_key_is_reported_as_refused_credentials_naming_the_bucket() {
        S3Settings wrong = server.settings(bucket, PREFIX).withCredentials("nobody", S3Server.SECRET_KEY);

        assertThatThrownBy(() -> S3Backend.create(wrong))
                .isInstanceOf(CredentialsRefusedException.class)
                .hasMessageContaining(server.endpoint() + "/" + bucket)
                .hasMessageContaining("check the access key and secret");
    }

    @Test
    void refused_credentials_on_an_open_backend_are_reported_the_same_way() throws IOException {
        try (S3Backend wrong = new S3Backend(
                server.settings(bucket, PREFIX).withCredentials(S3Server.ACCESS_KEY, "not-the-secret"), 1 << 20, 1000)) {
            assertThatThrownBy(() -> wrong.save(randomHandle(FileType.PACK), randomBytes(10)))
                    .isInstanceOf(CredentialsRefusedException.class).hasMessageContaining(bucket);
            assertThatThrownBy(() -> wrong.list(FileType.PACK, info -> { }))
                    .isInstanceOf(CredentialsRefusedException.class).hasMessageContaining(bucket);
            assertThatThrownBy(() -> wrong.open(randomHandle(FileType.PACK), 0, 0))
                    .isInstanceOf(CredentialsRefusedException.class).hasMessageContaining(bucket);
        }
    }

    @Test
    void a_missing_bucket_is_reported_by_name_and_never_created() throws IOException {
        S3Settings missing = server.settings("no-such-bucket", PREFIX);

        assertThatThrownBy(() -> S3Backend.create(missing))
                .isInstanceOf(NoSuchBucketException.class)
                .hasMessageContaining("'no-such-bucket'")
                .hasMessageContaining(server.endpoint().toString())
                .hasMessageContaining("create it");
        assertThatThrownBy(() -> S3Backend.open(missing)).isInstanceOf(NoSuchBucketException.class);
        try (S3Client client = server.client()) {
            assertThat(client.listBuckets().buckets()).noneMatch(b -> b.name().equals("no-such-bucket"));
        }
    }

    @Test
    void a_bucket_deleted_under_an_open_backend_is_reported_as_missing_not_as_empty() throws Exception {
        backend.save(randomHandle(FileType.INDEX), randomBytes(10));
        server.deleteBucket(bucket);

        assertThatThrownBy(() -> listed(FileType.INDEX)).isInstanceOf(NoSuchBucketException.class)
                .hasMessageContaining(bucket);
        assertThatThrownBy(() -> backend.readAll(Handle.CONFIG)).isInstanceOf(NoSuchBucketException.class);
        bucket = server.createBucket();
    }

    @Test
    void an_unreachable_endpoint_is_reported_with_its_address() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort);
        S3Settings settings = S3Settings.of(nowhere, S3Server.REGION, bucket, PREFIX, S3Server.ACCESS_KEY,
                S3Server.SECRET_KEY);

        long started = System.nanoTime();
        assertThatThrownBy(() -> S3Backend.open(settings))
                .isInstanceOf(BackendUnreachableException.class)
                .hasMessageContaining("cannot reach s3:" + nowhere + "/" + bucket)
                .hasMessageContaining("check the address and port");
        assertThat((System.nanoTime() - started) / 1_000_000).as("milliseconds to give up").isLessThan(10_000);
    }

    private List<String> keysInBucket() {
        try (S3Client client = server.client()) {
            return client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList();
        }
    }
}
