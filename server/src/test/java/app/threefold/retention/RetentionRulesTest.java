package app.threefold.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The corners of restic's rules that a forged history may not reach every time. */
class RetentionRulesTest {
    static final Instant NOW = Instant.parse("2026-04-01T12:00:00Z");

    @Test
    void aMonthBeforeTheThirtyFirstOfMarchIsTheThirdOfMarchAsGoCountsIt() {
        assertThat(Span.parse("1m").before(OffsetDateTime.parse("2026-03-31T10:00:00+02:00")))
                .isEqualTo(OffsetDateTime.parse("2026-03-03T10:00:00+02:00"));
        assertThat(Span.parse("1y2m3d4h").before(OffsetDateTime.parse("2024-02-29T01:00:00Z")))
                .isEqualTo(OffsetDateTime.parse("2022-12-25T21:00:00Z"));
    }

    @Test
    void durationsReadAndWriteAsResticsAndNonsenseIsRefused() {
        assertThat(Span.parse("1y6m")).isEqualTo(new Span(1, 6, 0, 0));
        assertThat(Span.parse("48h").toString()).isEqualTo("48h");
        assertThat(Span.parse("")).isEqualTo(Span.ZERO);
        assertThat(Span.parse("1d2d")).as("a repeated unit keeps the last, as restic's").isEqualTo(new Span(0, 0, 2, 0));
        assertThat(Span.parse("3h1y5h")).isEqualTo(new Span(1, 0, 0, 5));
        assertThatThrownBy(() -> Span.parse("2 weeks")).isInstanceOf(InvalidPolicyException.class).hasMessageContaining("48h");
        assertThatThrownBy(() -> new KeepPolicy(-1, 0, 0, 0, 0, 0, Span.ZERO)).isInstanceOf(InvalidPolicyException.class);
    }

    @Test
    void aSnapshotLateInTheEveningCountsForItsOwnDayNotTheUtcOne() {
        // 23:30 at +02:00 is 21:30 UTC, and 00:30 the next day at +02:00 is still 22:30 UTC the same UTC day.
        Candidate evening = candidate("a", "2026-03-10T23:30:00+02:00");
        Candidate night = candidate("b", "2026-03-11T00:30:00+02:00");
        Plan plan = RetentionRules.plan("laptop", List.of(evening, night), new KeepPolicy(0, 0, 2, 0, 0, 0, Span.ZERO), NOW);
        assertThat(plan.forget()).isEmpty();
        assertThat(plan.keep()).extracting(k -> k.reasons().toString()).containsExactly("[latest, daily #1]", "[daily #2]");
    }

    @Test
    void withinCountsFromTheNewestSnapshotNotInTheFutureAndIsStrict() {
        Candidate future = candidate("f", "2026-05-01T00:00:00Z");
        Candidate newest = candidate("n", "2026-04-01T10:00:00Z");
        Candidate exactly = candidate("e", "2026-03-30T10:00:00Z");
        Candidate inside = candidate("i", "2026-03-30T10:00:01Z");
        Plan plan = RetentionRules.plan("laptop", List.of(exactly, future, inside, newest),
                new KeepPolicy(0, 0, 0, 0, 0, 0, Span.ofHours(48)), NOW);
        assertThat(plan.keep()).extracting(k -> k.snapshot().id() + " " + k.reasons())
                .containsExactly("f [latest, within 48h]", "n [within 48h]", "i [within 48h]");
        assertThat(plan.forget()).extracting(Candidate::id).containsExactly("e");
    }

    @Test
    void anEmptyPolicyKeepsEverythingAndPinsKeepWhatTheRulesWouldNot() {
        Candidate a = candidate("a", "2026-03-01T10:00:00Z");
        Candidate b = new Candidate("b", OffsetDateTime.parse("2026-02-01T10:00:00Z"), true, "");
        Candidate c = candidate("c", "2026-01-01T10:00:00Z");
        assertThat(RetentionRules.plan("x", List.of(a, b, c), new KeepPolicy(0, 0, 0, 0, 0, 0, Span.ZERO), NOW).forget()).isEmpty();
        Plan one = RetentionRules.plan("x", List.of(a, b, c), new KeepPolicy(1, 0, 0, 0, 0, 0, Span.ZERO), NOW);
        assertThat(one.keep()).extracting(k -> k.snapshot().id() + " " + k.reasons()).containsExactly("a [latest, last #1]", "b [pinned]");
        assertThat(one.forget()).extracting(Candidate::id).containsExactly("c");
    }

    private static Candidate candidate(String id, String time) {
        return new Candidate(id, OffsetDateTime.parse(time), false, "");
    }
}
