package app.threefold.web.targets;

import app.threefold.mirror.InvalidTargetException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Reads what a person typed (in the panel or the API) for a folder or a bandwidth limit into what
 * {@code mirror.Targets} takes; a value that cannot be one is refused with a message naming the field.
 * A bucket's settings go to {@code Targets} as typed ({@code mirror.BucketSettings}), which checks them.
 */
final class TargetInput {

    /** Bytes per second in one megabit per second: home uplinks are sold in Mbit/s. */
    static final long BYTES_PER_MBIT = 125_000;

    private TargetInput() {
    }

    /** @throws InvalidTargetException if {@code path} is empty or not a path */
    static Path folder(String path) {
        String text = required(path, "folder", "/media/usb/threefold");
        try {
            Path folder = Path.of(text);
            if (!folder.isAbsolute()) {
                throw new InvalidTargetException("Give the folder as an absolute path, e.g. /media/usb/threefold; '"
                        + text + "' is not one.");
            }
            return folder.normalize();
        } catch (InvalidPathException e) {
            throw new InvalidTargetException("'" + text + "' is not a folder path; give one like /media/usb/threefold.");
        }
    }

    /** A limit typed in Mbit/s ("", "0": none) as bytes per second. */
    static long megabits(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return 0;
        }
        try {
            double mbit = Double.parseDouble(t);
            if (mbit < 0 || Double.isNaN(mbit) || Double.isInfinite(mbit)) {
                throw new NumberFormatException();
            }
            return Math.round(mbit * BYTES_PER_MBIT);
        } catch (NumberFormatException e) {
            throw new InvalidTargetException("Give the bandwidth limit in Mbit/s, e.g. 20, or leave it empty for none; '"
                    + t + "' is not one.");
        }
    }

    /** Days a copy keeps what the NAS no longer holds, as typed: a whole number from 0 to 3650. */
    static java.time.Duration delayDays(String text) {
        String t = text == null ? "" : text.strip();
        try {
            int days = Integer.parseInt(t);
            if (days < 0 || days > 3650) {
                throw new NumberFormatException();
            }
            return java.time.Duration.ofDays(days);
        } catch (NumberFormatException e) {
            throw new InvalidTargetException("Give the days a copy keeps what the NAS no longer holds as a whole number"
                    + " from 0 to 3650 (30 is the default); '" + t + "' is not one.");
        }
    }

    private static String required(String value, String field, String example) {
        if (value == null || value.isBlank()) {
            throw new InvalidTargetException("Give the " + field + " (e.g. " + example + ").");
        }
        return value.strip();
    }
}
