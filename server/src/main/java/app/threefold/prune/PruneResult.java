package app.threefold.prune;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a prune did, or with {@code dryRun} would do: packs removed (nothing used them), packs
 * repacked (their used blobs copied into {@code packsWritten} new packs), packs removed that no
 * index file named (leftovers of a crash), and the bytes of packs before and after.
 */
public record PruneResult(boolean dryRun, int snapshots, long blobsKept, int packsRemoved, int packsRepacked,
                          int unindexedPacksRemoved, int packsWritten, long bytesBefore, long bytesAfter, long bytesReclaimed,
                          int indexFilesWritten, int indexFilesRemoved, Duration duration) {

    /** Nothing to remove or repack: the repository holds only what its snapshots need. */
    public boolean nothingToDo() {
        return packsRemoved == 0 && packsRepacked == 0 && unindexedPacksRemoved == 0;
    }

    /** The result as a job records it (and the API returns it). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", dryRun);
        m.put("snapshots", snapshots);
        m.put("blobsKept", blobsKept);
        m.put("packsRemoved", packsRemoved);
        m.put("packsRepacked", packsRepacked);
        m.put("unindexedPacksRemoved", unindexedPacksRemoved);
        m.put("packsWritten", packsWritten);
        m.put("bytesBefore", bytesBefore);
        m.put("bytesAfter", bytesAfter);
        m.put("bytesReclaimed", bytesReclaimed);
        m.put("seconds", duration.toMillis() / 1000.0);
        return m;
    }
}
