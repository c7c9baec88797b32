package app.threefold.web.page;

import app.threefold.jobs.Job;
import app.threefold.browse.SnapshotNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the panel writes sizes, times and ages; pure functions called from templates. */
public final class Format {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
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

    /** "1 file", "2 files", "1,024 files". */
    public static String plural(long n, String word) {
        return plural(n, word, word + "s");
    }

    /** For words whose plural is not the word and an s: "1 entry", "2 entries". */
    public static String plural(long n, String one, String many) {
        return count(n) + " " + (n == 1 ? one : many);
    }

    /**
     * The short form of a snapshot id people read and compare, as restic prints it: its first 8 hex
     * digits. Links keep the full id.
     */
    public static String shortId(String id) {
        return id == null ? "" : id.length() > 8 ? id.substring(0, 8) : id;
    }

    /** A span of time left or taken, rounded as a person would say it: "less than a minute", "2 min", "1 h 5 min". */
    public static String duration(Duration d) {
        long seconds = Math.max(0, d.toSeconds());
        if (seconds < 60) {
            return "less than a minute";
        }
        long minutes = Math.round(seconds / 60.0);
        if (minutes < 60) {
            return minutes + " min";
        }
        long hours = minutes / 60;
        long rest = minutes % 60;
        if (hours >= 24) {
            return plural(hours / 24, "day") + (hours % 24 == 0 ? "" : " " + hours % 24 + " h");
        }
        return hours + " h" + (rest == 0 ? "" : " " + rest + " min");
    }

    /**
     * A running job's amount: "111 MB of 322 MB restored · 2 min left", "12 of 340 files checked";
     * without an estimate yet, only the amounts.
     */
    public static String amount(Job.Amount a) {
        String done = a.unit() == Job.Amount.Unit.BYTES
                ? bytes(a.done()) + " of " + bytes(a.total())
                : count(a.done()) + " of " + plural(a.total(), "file");
        String line = done + " " + a.verb();
        if (a.left() == null) {
            return line;
        }
        return line + " · " + duration(a.left()) + " left";
    }

    /**
     * Encodes a query parameter value (the HTML escaping of the link is jte's job). The value's
     * bytes are those of a file name ({@link SnapshotNames}), so a name that is not UTF-8 survives the
     * round trip through a link; {@link #queryValue} reads it back.
     */
    public static String url(String value) {
        StringBuilder b = new StringBuilder(value.length() + 16);
        for (byte x : SnapshotNames.toBytes(value)) {
            int c = x & 0xFF;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == '~')) {
                b.append((char) c);
            } else {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return b.toString();
    }

    /**
     * The value of query parameter {@code key} of a raw query string, decoded to the bytes it was
     * encoded from: the server's own decoding would turn bytes that are not UTF-8 into U+FFFD. Null if absent.
     */
    public static String queryValue(String query, String key) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (k.equals(key)) {
                return SnapshotNames.fromBytes(percentDecode(eq < 0 ? "" : pair.substring(eq + 1), true));
            }
        }
        return null;
    }

    /**
     * A value that {@link #url} encoded and a form sent back as it was (a hidden field), decoded
     * to the bytes it was encoded from.
     */
    public static String fromUrl(String value) {
        return value == null ? null : SnapshotNames.fromBytes(percentDecode(value, false));
    }

    private static byte[] percentDecode(String s, boolean plusIsSpace) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(s.charAt(i + 1), 16) << 4 | Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** A file name or path for people: bytes that are not UTF-8 as {@code \xff}, control characters escaped. */
    public static String name(String value) {
        return SnapshotNames.shown(value);
    }

    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", Math.max(0, Math.min(1, fraction)) * 100);
    }

    public static String ratio(double r) {
        return String.format(Locale.ROOT, "%.1f×", r);
    }
}
