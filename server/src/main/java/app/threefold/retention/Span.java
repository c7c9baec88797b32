package app.threefold.retention;

import java.time.OffsetDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A length of calendar time as restic's {@code --keep-within} takes it ({@code 1y5m7d2h}): years,
 * months and days are calendar steps, hours are hours. Zero means "not set".
 */
public record Span(int years, int months, int days, int hours) {

    public static final Span ZERO = new Span(0, 0, 0, 0);
    private static final Pattern PART = Pattern.compile("(\\d+)([ymdh])");

    public Span {
        if (years < 0 || months < 0 || days < 0 || hours < 0) {
            throw new InvalidPolicyException("a keep-within duration cannot be negative");
        }
    }

    public static Span ofHours(int hours) {
        return new Span(0, 0, 0, hours);
    }

    public static Span ofDays(int days) {
        return new Span(0, 0, days, 0);
    }

    /** Reads restic's form, e.g. {@code 48h}, {@code 90d}, {@code 1y6m}; empty or "0" is zero. */
    public static Span parse(String text) {
        if (text == null || text.isBlank() || text.strip().equals("0")) {
            return ZERO;
        }
        String s = text.strip();
        Matcher m = PART.matcher(s);
        int y = 0, mo = 0, d = 0, h = 0, end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            end = m.end();
            int n;
            try {
                n = Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                throw new InvalidPolicyException("'" + text + "' is too long a duration");
            }
            // A repeated unit replaces the earlier one ("1d2d" is 2d), as restic's ParseDuration does.
            switch (m.group(2)) {
                case "y" -> y = n;
                case "m" -> mo = n;
                case "d" -> d = n;
                default -> h = n;
            }
        }
        if (end != s.length()) {
            throw new InvalidPolicyException("'" + text + "' is not a duration: write numbers with y, m, d or h, e.g. 48h, 90d or 1y6m");
        }
        return new Span(y, mo, d, h);
    }

    public boolean zero() {
        return years == 0 && months == 0 && days == 0 && hours == 0;
    }

    /**
     * {@code latest} moved back by this span the way Go's {@code AddDate} then {@code Add} do it (as
     * restic does): years and months first, an overflowing day rolls into the next month (31 March
     * less one month is 3 March, not 28 February), then days, then hours, all in the time's own offset.
     */
    OffsetDateTime before(OffsetDateTime latest) {
        long monthIndex = latest.getYear() * 12L + (latest.getMonthValue() - 1) - years * 12L - months;
        int year = (int) Math.floorDiv(monthIndex, 12);
        int month = (int) Math.floorMod(monthIndex, 12) + 1;
        OffsetDateTime firstOfMonth = latest.withDayOfMonth(1).withYear(year).withMonth(month);
        return firstOfMonth.plusDays(latest.getDayOfMonth() - 1L - days).minusHours(hours);
    }

    /** restic's form: {@code 48h}, {@code 1y6m}; "0" for zero. */
    @Override
    public String toString() {
        if (zero()) {
            return "0";
        }
        StringBuilder b = new StringBuilder();
        if (years > 0) {
            b.append(years).append('y');
        }
        if (months > 0) {
            b.append(months).append('m');
        }
        if (days > 0) {
            b.append(days).append('d');
        }
        if (hours > 0) {
            b.append(hours).append('h');
        }
        return b.toString();
    }
}
