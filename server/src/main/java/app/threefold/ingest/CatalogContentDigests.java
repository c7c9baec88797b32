package app.threefold.ingest;

import app.threefold.format.Id;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** File digests in the catalog's {@code file_contents} table, written in batches. Thread-safe. */
public final class CatalogContentDigests implements ContentDigests {
    private static final int BATCH = 1000;

    private record Row(byte[] key, long size, byte[] sha256) {
    }

    private final Jdbi jdbi;
    private final List<Row> pending = new ArrayList<>();

    public CatalogContentDigests(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void record(Id contentKey, long size, byte[] sha256) {
        List<Row> full = null;
        synchronized (pending) {
            pending.add(new Row(contentKey.bytes(), size, sha256.clone()));
            if (pending.size() >= BATCH) {
                full = new ArrayList<>(pending);
                pending.clear();
            }
        }
        if (full != null) {
            write(full);
        }
    }

    @Override
    public void flush() {
        List<Row> rows;
        synchronized (pending) {
            rows = new ArrayList<>(pending);
            pending.clear();
        }
        write(rows);
    }

    private void write(List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> {
            var batch = h.prepareBatch("INSERT INTO file_contents (content_key, size, sha256) VALUES (:k, :s, :d) ON CONFLICT DO NOTHING");
            for (Row r : rows) {
                batch.bind("k", r.key()).bind("s", r.size()).bind("d", r.sha256()).add();
            }
            batch.execute();
        });
    }

    /** The SHA-256 recorded for a content key, if ingest recorded one. */
    public Optional<byte[]> sha256(Id contentKey) {
        return jdbi.withHandle(h -> h.createQuery("SELECT sha256 FROM file_contents WHERE content_key = :k")
                .bind("k", contentKey.bytes()).mapTo(byte[].class).findOne());
    }
}
