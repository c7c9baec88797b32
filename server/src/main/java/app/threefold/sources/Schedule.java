package app.threefold.sources;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * When a local source is snapshotted: daily at a wall-clock time of the appliance's zone, or
 * every N hours. The next run is computed from the start of the last one, so a run missed while
 * the appliance was off happens once, soon after it starts, and not once per missed slot.
 */
public sealed interface Schedule {

    /** Every day at {@code at} in the appliance's time zone. */
    record Daily(LocalTime at) implements Schedule {

        public Daily {
            if (at == null) {
                throw new InvalidSourceException("Give the time of day for the daily run, e.g. 03:30.");
            }
            at = at.withSecond(0).withNano(0);
        }

        @Override
        public Instant next(Instant lastStarted, Instant created, ZoneId zone) {
            ZonedDateTime after = (lastStarted == null ? created : lastStarted).atZone(zone);
            // atZone moves a time that falls into a daylight-saving gap forward by the gap's length.
            ZonedDateTime candidate = after.toLocalDate().atTime(at).atZone(zone);
            if (!candidate.isAfter(after)) {
                candidate = after.toLocalDate().plusDays(1).atTime(at).atZone(zone);
            }
            return candidate.toInstant();
        }

        @Override
        public String describe() {
            return "daily at " + at.format(DateTimeFormatter.ofPattern("HH:mm"));
        }
    }

    /** Every {@code hours} hours after the previous run started; the first run right after adding. */
    record EveryHours(int hours) implements Schedule {
        static final int MAX = 168;

        public EveryHours {
            if (hours < 1 || hours > MAX) {
                throw new InvalidSourceException("Run every 1 to " + MAX + " hours (a week); " + hours + " is out of range.");
            }
        }

        @Override
        public Instant next(Instant lastStarted, Instant created, ZoneId zone) {
            return lastStarted == null ? created : lastStarted.plus(Duration.ofHours(hours));
        }

        @Override
        public String describe() {
            return hours == 1 ? "every hour" : "every " + hours + " hours";
        }
    }

    /**
     * When the next run is due: the first slot after the last run started, or after the source
     * was created if it never ran. A result in the past means "due now".
     */
    Instant next(Instant lastStarted, Instant created, ZoneId zone);

    /** For people: "daily at 03:30", "every 6 hours". */
    String describe();

    /**
     * Reads a schedule from form fields: {@code kind} "daily" with {@code time} "HH:MM", or
     * "hours" with {@code hours} a whole number.
     *
     * @throws InvalidSourceException naming the field to correct
     */
    static Schedule of(String kind, String time, String hours) {
        if ("daily".equals(kind)) {
            try {
                return new Daily(LocalTime.parse(time == null ? "" : time.trim()));
            } catch (java.time.format.DateTimeParseException e) {
                throw new InvalidSourceException("Give the daily time as HH:MM on a 24-hour clock, e.g. 03:30; '" + time
                        + "' is not one.");
            }
        }
        if ("hours".equals(kind)) {
            try {
                return new EveryHours(Integer.parseInt(hours == null ? "" : hours.trim()));
            } catch (NumberFormatException e) {
                throw new InvalidSourceException("Give the number of hours between runs as a whole number, e.g. 6; '"
                        + hours + "' is not one.");
            }
        }
        throw new InvalidSourceException("Choose a schedule: daily at a time, or every few hours.");
    }
}
