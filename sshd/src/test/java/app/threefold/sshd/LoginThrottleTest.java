package app.threefold.sshd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void anAddressIsBlockedAfterTooManyFailuresUntilTheWindowPasses() {
        ManualClock clock = new ManualClock();
        LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(1), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.blocked("10.0.0.5")).isFalse();
            throttle.failed("10.0.0.5");
            clock.now = clock.now.plusSeconds(5);
        }
        assertThat(throttle.blocked("10.0.0.5")).isTrue();
        assertThat(throttle.blocked("10.0.0.6")).as("other addresses are not affected").isFalse();

        clock.now = clock.now.plusSeconds(50);
        assertThat(throttle.blocked("10.0.0.5")).as("the first failure left the window").isFalse();
        clock.now = clock.now.plusSeconds(60);
        assertThat(throttle.blocked("10.0.0.5")).isFalse();
    }
}
