package app.threefold.tree;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;

/**
 * File names are bytes, but the code handles them as Java strings: this charset maps any byte string
 * to a string and back without loss. Valid UTF-8 decodes as usual; each byte that is not part of valid
 * UTF-8 becomes the lone surrogate {@code U+DC80 + (byte - 0x80)} (Python's "surrogateescape"), and
 * those lone surrogates encode back to their byte. Valid UTF-8 never yields a lone surrogate, so two
 * different byte strings never map to one string.
 *
 * <p>Names are decoded whole (a buffer never ends inside a name), so a sequence cut short is not
 * UTF-8 and its bytes come out escaped. A string holding a lone surrogate outside {@code U+DC80..U+DCFF} has no byte form; encoding it
 * reports it as unmappable.
 */
public final class NameCharset extends Charset {
    /** The one instance; names everywhere are decoded and encoded with it. */
    public static final NameCharset INSTANCE = new NameCharset();

    private static final char ESCAPE_BASE = 0xDC00;

    private NameCharset() {
        super("X-THREEFOLD-NAME-BYTES", new String[0]);
    }

    /** The string for a name's bytes. */
    public static String fromBytes(byte[] name) {
        return new String(name, INSTANCE);
    }

    /** The bytes of a name; a string that came from {@link #fromBytes} gives back the very same bytes. */
    public static byte[] toBytes(String name) {
        CharsetEncoder encoder = INSTANCE.newEncoder();
        try {
            ByteBuffer out = encoder.encode(CharBuffer.wrap(name));
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("a name holds a character that has no byte form: " + printable(name), e);
        }
    }

    /** Whether a string holds bytes that are not valid UTF-8 (shown escaped, and refused by Java's file APIs). */
    public static boolean hasRawBytes(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The name for people and logs: valid UTF-8 as it is, other bytes as {@code \xff}, control
     * characters as \\u escapes, so an odd name can neither break a log line nor hide its bytes.
     */
    public static String printable(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                b.append(c).append(name.charAt(++i));
            } else if (c >= 0xDC80 && c <= 0xDCFF) {
                b.append(String.format("\\x%02x", c - ESCAPE_BASE));
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public boolean contains(Charset cs) {
        return cs instanceof NameCharset || StandardCharsets.UTF_8.contains(cs);
    }

    @Override
    public CharsetDecoder newDecoder() {
        return new Decoder(this);
    }

    @Override
    public CharsetEncoder newEncoder() {
        return new Encoder(this);
    }

    private static final class Decoder extends CharsetDecoder {
        Decoder(Charset cs) {
            super(cs, 1.0f, 1.0f);
        }

        @Override
        protected CoderResult decodeLoop(ByteBuffer in, CharBuffer out) {
            while (in.hasRemaining()) {
                int start = in.position();
                int b0 = in.get(start) & 0xFF;
                int length = sequenceLength(in, start);
                if (length == 0) {
                    // Not UTF-8: keep the byte as its escape (ASCII is always valid, so b0 >= 0x80).
                    if (!out.hasRemaining()) {
                        return CoderResult.OVERFLOW;
                    }
                    out.put((char) (ESCAPE_BASE + b0));
                    in.position(start + 1);
                    continue;
                }
                int cp = codePoint(in, start, length);
                int chars = Character.charCount(cp);
                if (out.remaining() < chars) {
                    return CoderResult.OVERFLOW;
                }
                if (chars == 1) {
                    out.put((char) cp);
                } else {
                    out.put(Character.highSurrogate(cp)).put(Character.lowSurrogate(cp));
                }
                in.position(start + length);
            }
            return CoderResult.UNDERFLOW;
        }

        @Override
        protected CoderResult implFlush(CharBuffer out) {
            return CoderResult.UNDERFLOW;
        }

        /**
         * The length of the valid UTF-8 sequence at {@code start}, or 0 when the byte there
         * starts none.
         */
        private static int sequenceLength(ByteBuffer in, int start) {
            int b0 = in.get(start) & 0xFF;
            int length;
            int min;
            int max;
            if (b0 < 0x80) {
                return 1;
            } else if (b0 >= 0xC2 && b0 <= 0xDF) {
                length = 2;
                min = 0x80;
                max = 0xBF;
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                length = 3;
                // No overlong forms (E0 80..9F) and no surrogates (ED A0..BF).
                min = b0 == 0xE0 ? 0xA0 : 0x80;
                max = b0 == 0xED ? 0x9F : 0xBF;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                length = 4;
                min = b0 == 0xF0 ? 0x90 : 0x80;
                max = b0 == 0xF4 ? 0x8F : 0xBF;
            } else {
                return 0;
            }
            for (int i = 1; i < length; i++) {
                if (start + i >= in.limit()) {
                    // A name is decoded whole: a sequence cut short is not UTF-8.
                    return 0;
                }
                int b = in.get(start + i) & 0xFF;
                int lo = i == 1 ? min : 0x80;
                int hi = i == 1 ? max : 0xBF;
                if (b < lo || b > hi) {
                    return 0;
                }
            }
            return length;
        }

        private static int codePoint(ByteBuffer in, int start, int length) {
            int b0 = in.get(start) & 0xFF;
            if (length == 1) {
                return b0;
            }
            int cp = b0 & (0xFF >> (length + 1));
            for (int i = 1; i < length; i++) {
                cp = (cp << 6) | (in.get(start + i) & 0x3F);
            }
            return cp;
        }

        @Override
        public boolean isAutoDetecting() {
            return false;
        }
    }

    private static final class Encoder extends CharsetEncoder {
        Encoder(Charset cs) {
            super(cs, 1.1f, 4.0f, new byte[] {'?'});
        }

        @Override
        protected CoderResult encodeLoop(CharBuffer in, ByteBuffer out) {
            while (in.hasRemaining()) {
                int start = in.position();
                char c = in.get(start);
                int cp;
                int consumed = 1;
                if (c >= 0xDC80 && c <= 0xDCFF) {
                    if (!out.hasRemaining()) {
                        return CoderResult.OVERFLOW;
                    }
                    out.put((byte) (c - ESCAPE_BASE));
                    in.position(start + 1);
                    continue;
                } else if (Character.isHighSurrogate(c)) {
                    if (start + 1 >= in.limit()) {
                        return CoderResult.UNDERFLOW;
                    }
                    char d = in.get(start + 1);
                    if (!Character.isLowSurrogate(d)) {
                        return CoderResult.unmappableForLength(1);
                    }
                    cp = Character.toCodePoint(c, d);
                    consumed = 2;
                } else if (Character.isLowSurrogate(c)) {
                    return CoderResult.unmappableForLength(1);
                } else {
                    cp = c;
                }
                int length = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (out.remaining() < length) {
                    return CoderResult.OVERFLOW;
                }
                switch (length) {
                    case 1 -> out.put((byte) cp);
                    case 2 -> out.put((byte) (0xC0 | cp >> 6)).put((byte) (0x80 | cp & 0x3F));
                    case 3 -> out.put((byte) (0xE0 | cp >> 12)).put((byte) (0x80 | cp >> 6 & 0x3F)).put((byte) (0x80 | cp & 0x3F));
                    default -> out.put((byte) (0xF0 | cp >> 18)).put((byte) (0x80 | cp >> 12 & 0x3F))
                            .put((byte) (0x80 | cp >> 6 & 0x3F)).put((byte) (0x80 | cp & 0x3F));
                }
                in.position(start + consumed);
            }
            return CoderResult.UNDERFLOW;
        }

        @Override
        public boolean canEncode(char c) {
            return !Character.isSurrogate(c) || (c >= 0xDC80 && c <= 0xDCFF);
        }
    }
}
