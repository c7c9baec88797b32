package app.threefold.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.clock.TestClock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A device's expected rhythm, and how late it is as the clock moves: amber after 1.5 rhythms, red after 3. */
@ExtendWith(TestDatabase.class)
class PunctualityTest {
    final TestClock clock = new TestClock(Instant.parse("2026-12-01T08:00:00Z"));
    Devices devices;

    @BeforeEach
    void setUp(Catalog catalog) {
        devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), clock);
    }

    @Test
    void aDailyDeviceTurnsAmberAfterADayAndAHalfAndRedAfterThreeDays() {
        devices.create("laptop", "laptop password".toCharArray(), null);
        devices.create("desktop", "desktop password".toCharArray(), null);
        clock.advance(Duration.ofHours(2));
        devices.recordConnection("laptop", "192.168.1.23");

        assertThat(devices.punctuality("laptop").rhythm()).isEqualTo(Duration.ofDays(1));
        assertThat(devices.lateDevices()).isEmpty();

        clock.advance(Duration.ofHours(35));
        assertThat(devices.punctuality("laptop").level()).isEqualTo(Lateness.Level.AMBER);

        devices.setRhythm("desktop", Duration.ofDays(7));
        clock.advance(Duration.ofDays(2));
        Lateness laptop = devices.punctuality("laptop");
        assertThat(laptop.level()).isEqualTo(Lateness.Level.RED);
        assertThat(laptop.text()).isEqualTo(
                "laptop: no backup yet, added 3 days ago — it last connected from 192.168.1.23 on 2026-12-01 10:00 UTC");
        assertThat(devices.lateDevices()).extracting(Lateness::device).containsExactly("laptop");
        assertThat(devices.punctuality("desktop").level()).isEqualTo(Lateness.Level.ON_TIME);
        assertThat(devices.punctuality("desktop").text()).endsWith("it has not connected yet");
    }

    @Test
    void lateDevicesComeWorstFirst() {
        devices.create("amber", "amber password".toCharArray(), null);
        devices.create("red", "red password!".toCharArray(), null);
        devices.create("fine", "fine password".toCharArray(), null);
        devices.setRhythm("amber", Duration.ofDays(2));
        devices.setRhythm("fine", Duration.ofDays(30));
        clock.advance(Duration.ofHours(80));

        assertThat(devices.punctuality()).extracting(Lateness::device, Lateness::level).containsExactly(
                org.assertj.core.groups.Tuple.tuple("red", Lateness.Level.RED),
                org.assertj.core.groups.Tuple.tuple("amber", Lateness.Level.AMBER),
                org.assertj.core.groups.Tuple.tuple("fine", Lateness.Level.ON_TIME));
    }

    @Test
    void aDisabledDeviceIsNeverLateNorListedFirst() {
        devices.create("old-pc", "old-pc password".toCharArray(), null);
        devices.create("laptop", "laptop password".toCharArray(), null);
        devices.setEnabled("old-pc", false);
        clock.advance(Duration.ofDays(2));

        assertThat(devices.punctuality("old-pc").level()).isEqualTo(Lateness.Level.ON_TIME);
        assertThat(devices.lateDevices()).extracting(Lateness::device).containsExactly("laptop");
        assertThat(devices.punctuality()).extracting(Lateness::device).containsExactly("laptop", "old-pc");
    }

    @Test
    void aRhythmUnderAnHourOrOverAMonthIsRefused() {
        devices.create("laptop", "laptop password".toCharArray(), null);

        assertThatThrownBy(() -> devices.setRhythm("laptop", Duration.ofMinutes(30))).isInstanceOf(DeviceException.class)
                .hasMessageContaining("between 1 hour and 31 days");
        assertThatThrownBy(() -> devices.setRhythm("laptop", Duration.ofDays(32))).isInstanceOf(DeviceException.class);
        assertThatThrownBy(() -> devices.setRhythm("nobody", Duration.ofDays(1))).isInstanceOf(UnknownDeviceException.class);
    }

    @Test
    void spansReadAsPeopleSayThem() {
        assertThat(Lateness.span(Duration.ofMinutes(1))).isEqualTo("1 minute");
        assertThat(Lateness.span(Duration.ofHours(5).plusMinutes(3))).isEqualTo("5 hours");
        assertThat(Lateness.span(Duration.ofHours(73))).isEqualTo("3 days");
    }
}
