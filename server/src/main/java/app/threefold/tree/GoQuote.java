package app.threefold.tree;

import app.threefold.format.FormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Go's {@code strconv.Quote} and {@code strconv.Unquote} without the outer quotes: restic stores a
 * node's name in that form inside the tree JSON ({@code Node.MarshalJSON}), so a name with a quote,
 * a backslash, a control character or bytes that are not UTF-8 survives exactly, and restic reads
 * back only names that {@code Unquote} accepts.
 */
final class GoQuote {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoQuote() {
    }

    /** The quoted form of a name (a {@link NameCharset} string): ASCII escapes, printable Unicode raw. */
    static String quote(String name) {
        StringBuilder b = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); ) {
            char c = name.charAt(i);
            if (c >= 0xDC80 && c <= 0xDCFF) {
                // A byte that is not UTF-8: Go writes it as \xNN.
                hexByte(b, c - 0xDC00);
                i++;
                continue;
            }
            int r = name.codePointAt(i);
            i += Character.charCount(r);
            if (r == '"' || r == '\\') {
                b.append('\\').append((char) r);
            } else if (printable(r)) {
                b.appendCodePoint(r);
            } else {
                switch (r) {
                    case 0x07 -> b.append("\\a");
                    case '\b' -> b.append("\\b");
                    case '\f' -> b.append("\\f");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    case 0x0B -> b.append("\\v");
                    default -> {
                        if (r < ' ' || r == 0x7F) {
                            hexByte(b, r);
                        } else if (r < 0x10000) {
                            b.append("\\u");
                            hex(b, r, 4);
                        } else {
                            b.append("\\U");
                            hex(b, r, 8);
                        }
                    }
                }
            }
        }
        return b.toString();
    }

    /** Reverses {@link #quote} and reads any form Go's {@code Unquote} accepts; refuses what it refuses. */
    static String unquote(String quoted) {
        // A lone surrogate can only come from a JSON \\u escape; Go reads it as U+FFFD, never as a raw byte.
        if (quoted.indexOf('\\') < 0 && quoted.indexOf('"') < 0 && quoted.indexOf('\n') < 0 && !NameCharset.hasRawBytes(quoted)) {
            return quoted;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(quoted.length());
        for (int i = 0; i < quoted.length(); ) {
            char c = quoted.charAt(i);
            if (c == '"' || c == '\n') {
                throw invalid(quoted);
            }
            if (c != '\\') {
                int r = quoted.codePointAt(i);
                i += Character.charCount(r);
                // Go decodes what is not UTF-8 as U+FFFD; a lone surrogate is the JSON form of that.
                out.writeBytes(Character.isSurrogate((char) r) && r <= 0xFFFF ? "\uFFFD".getBytes(StandardCharsets.UTF_8)
                        : new String(Character.toChars(r)).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (i + 1 >= quoted.length()) {
                throw invalid(quoted);
            }
            char e = quoted.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> out.write(0x07);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(0x0B);
                case '\\' -> out.write('\\');
                case '"' -> out.write('"');
                case 'x' -> {
                    out.write(parseHex(quoted, i, 2));
                    i += 2;
                }
                case 'u', 'U' -> {
                    int digits = e == 'u' ? 4 : 8;
                    int r = parseHex(quoted, i, digits);
                    i += digits;
                    if (r < 0 || r > Character.MAX_CODE_POINT || (r >= 0xD800 && r <= 0xDFFF)) {
                        throw invalid(quoted);
                    }
                    out.writeBytes(new String(Character.toChars(r)).getBytes(StandardCharsets.UTF_8));
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    if (i + 2 > quoted.length()) {
                        throw invalid(quoted);
                    }
                    int v = e - '0';
                    for (int k = 0; k < 2; k++) {
                        int d = quoted.charAt(i + k) - '0';
                        if (d < 0 || d > 7) {
                            throw invalid(quoted);
                        }
                        v = v * 8 + d;
                    }
                    if (v > 255) {
                        throw invalid(quoted);
                    }
                    out.write(v);
                    i += 2;
                }
                default -> throw invalid(quoted);
            }
        }
        return NameCharset.fromBytes(out.toByteArray());
    }

    /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean printable(int r) {
        if (r == ' ') {
            return true;
        }
        return switch (Character.getType(r)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER,
                 Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
                 Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION,
                 Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    private static void hexByte(StringBuilder b, int v) {
        b.append("\\x").append(HEX[v >> 4 & 0xF]).append(HEX[v & 0xF]);
    }

    private static void hex(StringBuilder b, int v, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            b.append(HEX[v >> shift & 0xF]);
        }
    }

    private static int parseHex(String s, int from, int digits) {
        if (from + digits > s.length()) {
            throw invalid(s);
        }
        int v = 0;
        for (int k = 0; k < digits; k++) {
            int d = Character.digit(s.charAt(from + k), 16);
            if (d < 0) {
                throw invalid(s);
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static FormatException invalid(String quoted) {
        return new FormatException("a tree node's name is not in Go's quoted form: " + NameCharset.printable(quoted));
    }
}
