package app.threefold.retention;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The policy engine: restic 0.14's {@code ApplyPolicy} (internal/restic/snapshot_policy.go), so that
 * Threefold keeps and forgets exactly the snapshots {@code restic forget --keep-*} would on the same
 * repository. Two rules come on top, neither of which removes a snapshot restic would keep: the
 * newest snapshot is always kept, and so is every pinned one.
 *
 * <p>restic walks the snapshots newest first. A bucket rule ("daily 14") keeps a snapshot when its
 * bucket value (the day, in the offset its time was recorded in) differs from the last kept one's,
 * while the rule has counts left; "within 48h" keeps every snapshot strictly after the newest one
 * (not in the future) less 48 hours.
 */
public final class RetentionRules {

    private RetentionRules() {
    }

    private record Bucket(String name, int count, ToLongFunction<Dated> value) {
    }

    private record Dated(int nr, OffsetDateTime t) {
    }

    /**
     * Applies {@code policy} to one group's snapshots. {@code now} decides only which snapshot is the
     * newest for "within" (restic ignores snapshots dated in the future there).
     */
    public static Plan plan(String hostname, List<Candidate> snapshots, KeepPolicy policy, Instant now) {
        // Newest first; equal times in id order, as restic's stable sort leaves its id-ordered listing.
        List<Candidate> list = new ArrayList<>(snapshots);
        list.sort(Comparator.comparing((Candidate c) -> c.time().toInstant()).reversed().thenComparing(Candidate::id));
        List<Plan.Kept> keep = new ArrayList<>();
        List<Candidate> forget = new ArrayList<>();
        if (list.isEmpty()) {
            return new Plan(hostname, policy, keep, forget);
        }
        Bucket[] buckets = {
                new Bucket("last", policy.last(), d -> d.nr()),
                new Bucket("hourly", policy.hourly(), d -> d.t().getYear() * 1_000_000L + d.t().getMonthValue() * 10_000L
                        + d.t().getDayOfMonth() * 100L + d.t().getHour()),
                new Bucket("daily", policy.daily(), d -> d.t().getYear() * 10_000L + d.t().getMonthValue() * 100L
                        + d.t().getDayOfMonth()),
                new Bucket("weekly", policy.weekly(), d -> d.t().get(IsoFields.WEEK_BASED_YEAR) * 100L
                        + d.t().get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)),
                new Bucket("monthly", policy.monthly(), d -> d.t().getYear() * 100L + d.t().getMonthValue()),
                new Bucket("yearly", policy.yearly(), d -> d.t().getYear()),
        };
        int[] left = new int[buckets.length];
        int[] used = new int[buckets.length];
        long[] lastValue = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            left[i] = buckets[i].count();
            lastValue[i] = Long.MIN_VALUE;
        }
        OffsetDateTime withinAfter = policy.within().zero() ? null : policy.within().before(latestNotInFuture(list, now));
        for (int nr = 0; nr < list.size(); nr++) {
            Candidate cur = list.get(nr);
            List<String> reasons = new ArrayList<>();
            if (nr == 0) {
                reasons.add("latest");
            }
            if (cur.pinned()) {
                reasons.add("pinned");
            }
            if (policy.empty()) {
                reasons.add("policy keeps everything");
            }
            if (withinAfter != null && cur.time().toInstant().isAfter(withinAfter.toInstant())) {
                reasons.add("within " + policy.within());
            }
            Dated d = new Dated(nr, cur.time());
            for (int i = 0; i < buckets.length; i++) {
                if (left[i] > 0) {
                    long v = buckets[i].value().applyAsLong(d);
                    if (v != lastValue[i]) {
                        lastValue[i] = v;
                        left[i]--;
                        used[i]++;
                        reasons.add(buckets[i].name() + " #" + used[i]);
                    }
                }
            }
            if (reasons.isEmpty()) {
                forget.add(cur);
            } else {
                keep.add(new Plan.Kept(cur, reasons));
            }
        }
        return new Plan(hostname, policy, keep, forget);
    }

    /**
     * The newest time that is not after {@code now}, in its own offset; with every snapshot in the
     * future, Go's zero time (year 1), so "within" keeps them all, as restic does.
     */
    private static OffsetDateTime latestNotInFuture(List<Candidate> newestFirst, Instant now) {
        for (Candidate c : newestFirst) {
            if (c.time().toInstant().isBefore(now)) {
                return c.time();
            }
        }
        return OffsetDateTime.of(1, 1, 1, 0, 0, 0, 0, java.time.ZoneOffset.UTC);
    }
}
