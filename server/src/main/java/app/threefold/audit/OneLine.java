package app.threefold.audit;

/**
 * Keeps text that came from outside (an SSH user name, a file name, a form field) on one line of a
 * log or of the activity log: control characters become visible escapes ({@code \n}, {@code \r},
 * {@code \t}, {@code \u001b}), so a value cannot end a line and forge the next one. Line and
 * paragraph separators and the bidirectional overrides, which can make a line read differently
 * from what it holds, are escaped too. Everything else, backslashes included, stays as it is, so
 * Windows paths and non-Latin names remain readable.
 */
public final class OneLine {

    private OneLine() {
    }

    /** {@code text} with its control characters escaped; the same instance when there are none. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !needsEscape(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        return Character.getType(c) == Character.CONTROL
                || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}
