package app.threefold.backend;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Test stand-in for a mirror: copies every object of one backend to another in the order a
 * sync must keep (config and keys, packs, index, snapshots), and damages a copy's objects behind
 * its backend's back as a failing disk or a provider's bit rot would.
 */
public final class ObjectCopy {
    private static final FileType[] ORDER = {FileType.CONFIG, FileType.KEY, FileType.PACK, FileType.INDEX, FileType.SNAPSHOT};

    private ObjectCopy() {
    }

    /** Copies what {@code to} lacks; returns the number of objects sent. */
    public static int copyAll(Backend from, Backend to) throws IOException {
        int sent = 0;
        for (FileType type : ORDER) {
            List<Backend.ObjectInfo> objects = new ArrayList<>();
            from.list(type, objects::add);
            for (Backend.ObjectInfo o : objects) {
                if (to.exists(o.handle())) {
                    continue;
                }
                try (InputStream in = from.open(o.handle(), 0, 0)) {
                    to.save(o.handle(), in, o.size());
                }
                sent++;
            }
        }
        return sent;
    }

    /** The largest pack of a copy: with a snapshot of one big file, the pack holding most of it. */
    public static Handle largestPack(Backend backend) throws IOException {
        List<Backend.ObjectInfo> packs = new ArrayList<>();
        backend.list(FileType.PACK, packs::add);
        return packs.stream().max(java.util.Comparator.comparingLong(Backend.ObjectInfo::size)).orElseThrow().handle();
    }

    /** Inverts the byte at {@code offset} of an object in the bucket, rewriting it in place. */
    public static void flipByte(S3Server server, S3Settings settings, Handle handle, int offset) throws IOException {
        String key = settings.key(handle.path());
        try (S3Client client = server.client()) {
            byte[] bytes = client.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key)).asByteArray();
            bytes[offset] = (byte) ~bytes[offset];
            client.putObject(b -> b.bucket(settings.bucket()).key(key), RequestBody.fromBytes(bytes));
        }
    }
}
