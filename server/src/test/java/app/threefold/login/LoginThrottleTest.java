package app.threefold.login;

import app.threefold.clock.TestClock;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.login.LoginThrottle.Attempt;
import app.threefold.login.LoginThrottle.Realm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T22:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(clock);

    private void fail(String address, Realm realm, String name) {
        Attempt attempt = new Attempt(address, realm, name);
        assertThat(throttle.attempt(attempt)).as("admitted").isEmpty();
        throttle.failed(attempt);
    }

    @Test
    void fiveFailuresFromAnAddressBlockItForFifteenMinutesEvenForTheRightPassword() {
        Instant first = clock.instant();
        for (int i = 0; i < 5; i++) {
            fail("10.0.0.7", Realm.DEVICES, "guess" + i);
            clock.advance(Duration.ofSeconds(10));
        }
        var block = throttle.attempt(new Attempt("10.0.0.7", Realm.DEVICES, "laptop"));
        assertThat(block).isPresent();
        assertThat(block.get().byAddress()).isTrue();
        assertThat(block.get().until()).isEqualTo(first.plus(Duration.ofMinutes(15)));
        assertThat(block.get().retryAfterSeconds(clock.instant())).isEqualTo(15 * 60 - 50);
        assertThat(block.get().first()).isTrue();
        assertThat(throttle.attempt(new Attempt("10.0.0.7", Realm.DEVICES, "laptop")).orElseThrow().first()).isFalse();
        assertThat(throttle.attempt(new Attempt("10.0.0.8", Realm.DEVICES, "laptop"))).as("other addresses").isEmpty();

        clock.set(first.plus(Duration.ofMinutes(15)));
        assertThat(throttle.attempt(new Attempt("10.0.0.7", Realm.DEVICES, "laptop")))
                .as("the oldest failure left the window").isEmpty();
    }

    @Test
    void fiveFailuresForANameBlockItFromEveryAddressAndAreShownForIt() {
        for (int i = 0; i < 5; i++) {
            fail("10.0.0." + (i % 2 + 7), Realm.DEVICES, "laptop");
        }
        var block = throttle.attempt(new Attempt("10.0.0.9", Realm.DEVICES, "laptop"));
        assertThat(block).isPresent();
        assertThat(block.get().byAddress()).isFalse();
        assertThat(throttle.attempt(new Attempt("10.0.0.9", Realm.PEOPLE, "laptop")))
                .as("a person of the same name is someone else").isEmpty();
        assertThat(throttle.failures(Realm.DEVICES, "laptop")).isEqualTo(new LoginThrottle.Failures(5,
                List.of("10.0.0.7", "10.0.0.8"), java.util.Optional.of(clock.instant().plus(LoginThrottle.WINDOW))));
        assertThat(throttle.failures(Realm.DEVICES, "desk")).isEqualTo(LoginThrottle.Failures.NONE);
    }

    @Test
    void aSuccessIsNoFailureAndStartsTheNamesCountAgain() {
        Attempt right = new Attempt("10.0.0.7", Realm.PEOPLE, "anna");
        for (int i = 0; i < 3; i++) {
            fail("10.0.0.7", Realm.PEOPLE, "anna");
        }
        assertThat(throttle.attempt(right)).isEmpty();
        throttle.succeeded(right);
        assertThat(throttle.failures(Realm.PEOPLE, "anna")).isEqualTo(LoginThrottle.Failures.NONE);
        fail("10.0.0.7", Realm.PEOPLE, "anna");
        fail("10.0.0.7", Realm.PEOPLE, "bob");
        assertThat(throttle.attempt(right)).as("the address has its 5 failures").isPresent();
    }

    @Test
    void onceAnAddressHasFailedItsAttemptsInFlightCountSoParallelGuessesAreLimitedToo() {
        fail("10.0.0.7", Realm.DEVICES, "laptop");
        // Four more connections check their passwords at once: none has failed yet, all count.
        for (int i = 0; i < 4; i++) {
            assertThat(throttle.attempt(new Attempt("10.0.0.7", Realm.DEVICES, "desk"))).isEmpty();
        }
        assertThat(throttle.attempt(new Attempt("10.0.0.7", Realm.DEVICES, "desk"))).isPresent();
        throttle.abandoned(new Attempt("10.0.0.7", Realm.DEVICES, "desk"));
        assertThat(throttle.attempt(new Attempt("10.0.0.7", Realm.DEVICES, "desk"))).as("one was abandoned").isEmpty();
    }

    @Test
    void aClientOpeningManyConnectionsAtOnceIsNotRefused() {
        Attempt rclone = new Attempt("10.0.0.7", Realm.DEVICES, "laptop");
        for (int i = 0; i < 12; i++) {
            assertThat(throttle.attempt(rclone)).isEmpty();
        }
        for (int i = 0; i < 12; i++) {
            throttle.succeeded(rclone);
        }
        assertThat(throttle.attempt(rclone)).isEmpty();
    }

    @Test
    void aTokenAttemptWithoutANameCountsForItsAddress() {
        for (int i = 0; i < 5; i++) {
            fail("10.0.0.7", Realm.PEOPLE, null);
        }
        assertThat(throttle.attempt(new Attempt("10.0.0.7", Realm.PEOPLE, null))).isPresent();
        assertThat(throttle.blocked(new Attempt("10.0.0.7", Realm.DEVICES, "laptop"))).isPresent();
        assertThat(throttle.blocked(new Attempt("10.0.0.8", Realm.DEVICES, "laptop"))).isEmpty();
    }

    @Test
    void anAddressThatFailedAndNeverCameBackIsForgottenOnceItsFailuresLeaveTheWindow() {
        for (int i = 0; i < 3; i++) {
            fail("203.0.113." + i, Realm.PEOPLE, "admin" + i);
        }
        assertThat(throttle.remembered()).hasSize(6);

        clock.advance(LoginThrottle.WINDOW.plusMinutes(1));
        Attempt next = new Attempt("10.0.0.7", Realm.PEOPLE, "anna");
        assertThat(throttle.attempt(next)).isEmpty();
        throttle.succeeded(next);

        assertThat(throttle.remembered()).as("what a long-running appliance keeps of scanners gone for good").isEmpty();
    }
}
