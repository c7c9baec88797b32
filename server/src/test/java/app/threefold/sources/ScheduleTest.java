package app.threefold.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final Instant CREATED = Instant.parse("2026-11-20T10:00:00Z");

    private static Instant at(String utc) {
        return Instant.parse(utc);
    }

    @Test
    void aDailySourceThatNeverRanFirstRunsAtItsTimeAfterItWasAdded() {
        Schedule nightly = new Schedule.Daily(LocalTime.of(3, 0));
        Schedule lunch = new Schedule.Daily(LocalTime.of(12, 30));

        assertThat(nightly.next(null, CREATED, UTC)).isEqualTo(at("2026-11-21T03:00:00Z"));
        assertThat(lunch.next(null, CREATED, UTC)).isEqualTo(at("2026-11-20T12:30:00Z"));
    }

    @Test
    void aDailySourceRunsAgainTheNextDayAtItsTimeNotADayAfterTheLastRun() {
        Schedule nightly = new Schedule.Daily(LocalTime.of(3, 0));

        assertThat(nightly.next(at("2026-11-22T03:00:40Z"), CREATED, UTC)).isEqualTo(at("2026-11-23T03:00:00Z"));
        // Run by hand in the evening: the night's run still happens.
        assertThat(nightly.next(at("2026-11-22T20:15:00Z"), CREATED, UTC)).isEqualTo(at("2026-11-23T03:00:00Z"));
        // Run by hand just before its time: the slot right after still counts.
        assertThat(nightly.next(at("2026-11-22T02:59:00Z"), CREATED, UTC)).isEqualTo(at("2026-11-22T03:00:00Z"));
    }

    @Test
    void daysMissedWhileTheApplianceWasOffAddUpToOneRunThatIsDueNow() {
        Schedule nightly = new Schedule.Daily(LocalTime.of(3, 0));
        Instant lastRun = at("2026-11-18T03:00:10Z");
        Instant backOn = at("2026-11-23T09:00:00Z");

        Instant next = nightly.next(lastRun, CREATED, UTC);
        assertThat(next).isBefore(backOn);
        // Once it has run after start-up, the next slot is tomorrow's, not one of the missed ones.
        assertThat(nightly.next(backOn.plusSeconds(60), CREATED, UTC)).isEqualTo(at("2026-11-24T03:00:00Z"));
    }

    @Test
    void dailyTimesAreWallClockTimesOfTheAppliancesZone() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Schedule nightly = new Schedule.Daily(LocalTime.of(3, 0));

        // 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer.
        assertThat(nightly.next(at("2026-11-22T02:30:00Z"), CREATED, berlin)).isEqualTo(at("2026-11-23T02:00:00Z"));
        assertThat(nightly.next(at("2026-07-01T02:30:00Z"), CREATED, berlin)).isEqualTo(at("2026-07-02T01:00:00Z"));
    }

    @Test
    void anHourlySourceRunsRightAfterAddingThenEveryNHoursAfterTheLastStart() {
        Schedule sixHours = new Schedule.EveryHours(6);

        assertThat(sixHours.next(null, CREATED, UTC)).isEqualTo(CREATED);
        assertThat(sixHours.next(at("2026-11-22T07:13:00Z"), CREATED, UTC)).isEqualTo(at("2026-11-22T13:13:00Z"));
    }

    @Test
    void formFieldsBecomeSchedulesOrSayWhatToFix() {
        assertThat(Schedule.of("daily", " 03:30 ", null)).isEqualTo(new Schedule.Daily(LocalTime.of(3, 30)));
        assertThat(Schedule.of("hours", null, "12")).isEqualTo(new Schedule.EveryHours(12));
        assertThat(Schedule.of("daily", "07:05", null).describe()).isEqualTo("daily at 07:05");
        assertThat(Schedule.of("hours", null, "1").describe()).isEqualTo("every hour");
        assertThat(Schedule.of("hours", null, "6").describe()).isEqualTo("every 6 hours");

        assertThatThrownBy(() -> Schedule.of("daily", "25:00", null)).isInstanceOf(InvalidSourceException.class)
                .hasMessageContaining("HH:MM");
        assertThatThrownBy(() -> Schedule.of("hours", null, "0")).isInstanceOf(InvalidSourceException.class)
                .hasMessageContaining("1 to 168");
        assertThatThrownBy(() -> Schedule.of("hours", null, "six")).isInstanceOf(InvalidSourceException.class)
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> Schedule.of("weekly", null, null)).isInstanceOf(InvalidSourceException.class)
                .hasMessageContaining("Choose a schedule");
    }
}
