package app.threefold.ingest;

import java.time.Duration;

/**
 * What one ingest did, as the backup summary and the snapshot list show it. {@code filesRemoved}
 * counts the parent snapshot's files whose path this one lacks; it is not part of {@link #files()}.
 */
public record IngestStats(long filesNew, long filesChanged, long filesUnchanged, long filesRemoved, long filesFailed, long dirs,
                          long bytesRead, long bytesTotal, long bytesAdded, Duration duration) {

    public long files() {
        return filesNew + filesChanged + filesUnchanged;
    }
}
