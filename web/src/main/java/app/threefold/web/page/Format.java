package app.threefold.web.page;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the panel writes sizes, times and ages; pure functions called from templates. */
public final class Format {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter TIME_OF_DAY = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());
    private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB", "PB"};

    private Format() {
    }

    /** 1234567 → "1.2 MB" (powers of 1000, as disks are sold). */
    public static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        double v = n;
        int unit = 0;
        while (v >= 1000 && unit < UNITS.length - 1) {
            v /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, UNITS[unit]);
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    public static String time(Instant t) {
        return t == null ? "—" : TIME.format(t);
    }

    /** "22:41": for times within the hour ahead or behind, where the date goes without saying. */
    public static String timeOfDay(Instant t) {
        return TIME_OF_DAY.format(t);
    }

    /** "3 hours ago", "2 days ago". */
    public static String age(Instant then, Instant now) {
        if (then == null) {
            return "never";
        }
        Duration d = Duration.between(then, now);
        if (d.isNegative() || d.toMinutes() < 1) {
            return "just now";
        }
        if (d.toHours() < 1) {
            return plural(d.toMinutes(), "minute") + " ago";
        }
        if (d.toDays() < 1) {
            return plural(d.toHours(), "hour") + " ago";
        }
        return plural(d.toDays(), "day") + " ago";
    }

    public static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    /** Encodes a query parameter value (the HTML escaping of the link is jte's job). */
    public static String url(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", Math.max(0, Math.min(1, fraction)) * 100);
    }

    public static String ratio(double r) {
        return String.format(Locale.ROOT, "%.1f×", r);
    }
}
