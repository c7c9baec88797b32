package app.threefold.device;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;

/**
 * How a device keeps its rhythm: when it last backed up (its newest snapshot or, if later, the end
 * of its last session that completed without changing anything; null: never), when and from where
 * it last connected (null: never), and the resulting level. A device is late ({@link Level#AMBER})
 * once its last backup (or, before the first, its creation) is more than 1.5 rhythms old, and
 * {@link Level#RED} after 3: a laptop that missed one evening is not yet news, one silent for three
 * days is. A disabled device cannot log in, so it is never late and comes last.
 */
public record Lateness(String device, boolean enabled, Level level, Duration rhythm, Instant lastBackup, Duration since,
                       String lastAddress, Instant lastConnected) {

    /** On time, late, or very late. */
    public enum Level { ON_TIME, AMBER, RED }

    /** Worst first, then the longest silence first: the order the dashboard and alerts list them in. */
    public static final Comparator<Lateness> WORST_FIRST = Comparator.comparing(Lateness::enabled).reversed()
            .thenComparing(Comparator.comparing(Lateness::level).reversed())
            .thenComparing(Lateness::since, Comparator.reverseOrder()).thenComparing(Lateness::device);

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    static Lateness of(String device, boolean enabled, Duration rhythm, Instant created, Instant lastBackup,
                       String lastAddress, Instant lastConnected, Instant now) {
        Duration since = Duration.between(lastBackup == null ? created : lastBackup, now);
        Level level = !enabled ? Level.ON_TIME : since.compareTo(rhythm.multipliedBy(3)) > 0 ? Level.RED
                : since.compareTo(rhythm.multipliedBy(3).dividedBy(2)) > 0 ? Level.AMBER : Level.ON_TIME;
        return new Lateness(device, enabled, level, rhythm, lastBackup, since, lastAddress, lastConnected);
    }

    public boolean late() {
        return level != Level.ON_TIME;
    }

    /**
     * One line a person understands: "laptop: no backup for 3 days — it last connected from
     * 192.168.1.23 on 2026-12-04 10:15 UTC".
     */
    public String text() {
        String head = device + ": " + (lastBackup == null ? "no backup yet, added " + span(since) + " ago"
                : level == Level.ON_TIME ? "last backup " + span(since) + " ago" : "no backup for " + span(since));
        String tail = lastConnected == null ? " — it has not connected yet"
                : " — it last connected from " + lastAddress + " on " + WHEN.format(lastConnected);
        return head + tail;
    }

    /** "3 days", "5 hours", "1 hour", "20 minutes". */
    static String span(Duration d) {
        long days = d.toDays();
        if (days >= 1) {
            return days + (days == 1 ? " day" : " days");
        }
        long hours = d.toHours();
        if (hours >= 1) {
            return hours + (hours == 1 ? " hour" : " hours");
        }
        long minutes = Math.max(0, d.toMinutes());
        return minutes + (minutes == 1 ? " minute" : " minutes");
    }
}
