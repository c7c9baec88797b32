package app.threefold.retention;

import app.threefold.backend.FileType;
import app.threefold.engine.Engine;
import app.threefold.format.Id;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.SnapshotRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Snapshot files with forged times, written straight into an engine's repository (and its catalog)
 * over one real tree: what years of backups look like to forget, in seconds.
 */
public final class ForgedHistory {

    /** Offsets a household's machines might record; restic buckets each snapshot in its own. */
    private static final List<ZoneOffset> OFFSETS = List.of(ZoneOffset.UTC, ZoneOffset.ofHours(2), ZoneOffset.ofHours(-5),
            ZoneOffset.ofHoursMinutes(5, 30), ZoneOffset.ofHours(13), ZoneOffset.ofHours(-11));

    private ForgedHistory() {
    }

    /**
     * {@code count} snapshots of {@code host} from about two years before {@code end} up to {@code end}:
     * bursts of several an hour, quiet weeks, and a busy last two days; times in mixed offsets.
     */
    public static List<Id> write(Engine engine, String host, Id tree, int count, Instant end, long seed) throws IOException {
        Random random = new Random(seed);
        long span = 730L * 24 * 3600;
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long back;
            int kind = random.nextInt(10);
            if (kind < 2) {
                back = random.nextInt(48 * 3600); // the last two days
            } else if (kind < 4 && !times.isEmpty()) {
                // a burst near an earlier one: same hour or same day, often across a day boundary somewhere
                back = Math.max(60, end.getEpochSecond() - times.get(random.nextInt(times.size())).getEpochSecond()
                        + random.nextInt(7200) - 3600);
            } else {
                back = (long) (random.nextDouble() * span);
            }
            times.add(end.minusSeconds(back).minusMillis(random.nextInt(1000)));
        }
        List<Id> ids = new ArrayList<>();
        for (Instant t : times) {
            OffsetDateTime recorded = t.atOffset(OFFSETS.get(random.nextInt(OFFSETS.size())));
            String json = "{\"time\":\"" + DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(recorded) + "\",\"tree\":\"" + tree.hex()
                    + "\",\"paths\":[\"/\"],\"hostname\":\"" + host + "\",\"username\":\"\"}";
            Id id = engine.repository().saveUnpacked(FileType.SNAPSHOT, json.getBytes(StandardCharsets.UTF_8));
            engine.catalogSnapshots().add(new Snapshot(id, t, null, tree, List.of("/"), host, "", List.of()),
                    new SnapshotRow.Counts(1, 1, 1, 1, 0, 0, 0));
            ids.add(id);
        }
        return ids;
    }
}
