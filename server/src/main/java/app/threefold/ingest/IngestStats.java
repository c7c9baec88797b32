package app.threefold.ingest;

import java.time.Duration;

/** What one ingest did, as the backup summary and the snapshot list show it. */
public record IngestStats(long filesNew, long filesChanged, long filesUnchanged, long filesFailed, long dirs,
                          long bytesRead, long bytesTotal, long bytesAdded, Duration duration) {

    public long files() {
        return filesNew + filesChanged + filesUnchanged;
    }
}
