package app.threefold.retention;

import java.util.ArrayList;
import java.util.List;

/**
 * Which snapshots of one device or source to keep, in restic's terms: the last {@code n}, the
 * newest of each of the last {@code n} hours, days, ISO weeks, months and years that have a
 * snapshot, and every snapshot within {@code within} of the newest ({@code restic forget
 * --keep-last … --keep-within …}). A policy with nothing set keeps everything, as restic's does.
 */
public record KeepPolicy(int last, int hourly, int daily, int weekly, int monthly, int yearly, Span within) {

    /** The default for devices and local sources: 48 hours of everything, 14 daily, 8 weekly, 24 monthly, 10 yearly. */
    public static final KeepPolicy DEFAULT = new KeepPolicy(0, 0, 14, 8, 24, 10, Span.ofHours(48));
    /** The default for deleted devices: the snapshots of the last 90 days before the newest. */
    public static final KeepPolicy ARCHIVED_DEFAULT = new KeepPolicy(0, 0, 0, 0, 0, 0, Span.ofDays(90));

    public KeepPolicy {
        if (last < 0 || hourly < 0 || daily < 0 || weekly < 0 || monthly < 0 || yearly < 0) {
            throw new InvalidPolicyException("a keep count cannot be negative; 0 means the rule is off");
        }
        within = within == null ? Span.ZERO : within;
    }

    /** Whether nothing is set: such a policy keeps every snapshot. */
    public boolean empty() {
        return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0 && within.zero();
    }

    /** One line for people, e.g. "keep everything within 48h, 14 daily, 8 weekly, 24 monthly, 10 yearly". */
    public String describe() {
        if (empty()) {
            return "keep everything";
        }
        List<String> parts = new ArrayList<>();
        if (!within.zero()) {
            parts.add("everything within " + within + " of the newest");
        }
        add(parts, last, "last");
        add(parts, hourly, "hourly");
        add(parts, daily, "daily");
        add(parts, weekly, "weekly");
        add(parts, monthly, "monthly");
        add(parts, yearly, "yearly");
        return "keep " + String.join(", ", parts);
    }

    /** The same policy as restic's {@code forget} options. */
    public List<String> resticOptions() {
        List<String> o = new ArrayList<>();
        option(o, "--keep-last", last);
        option(o, "--keep-hourly", hourly);
        option(o, "--keep-daily", daily);
        option(o, "--keep-weekly", weekly);
        option(o, "--keep-monthly", monthly);
        option(o, "--keep-yearly", yearly);
        if (!within.zero()) {
            o.add("--keep-within");
            o.add(within.toString());
        }
        return o;
    }

    private static void add(List<String> parts, int n, String what) {
        if (n > 0) {
            parts.add(n + " " + what);
        }
    }

    private static void option(List<String> o, String flag, int n) {
        if (n > 0) {
            o.add(flag);
            o.add(Integer.toString(n));
        }
    }
}
