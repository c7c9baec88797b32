package app.threefold.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.format.FormatException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Names are bytes: kept exactly through strings, and quoted in trees exactly as restic quotes them. */
class NamesTest {
    private static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    @Test
    void anyBytesSurviveAsAStringAndTwoNamesNeverBecomeOne() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        Map<String, byte[]> seen = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            byte[] name = new byte[1 + random.nextInt(12)];
            for (int k = 0; k < name.length; k++) {
                // Mostly the bytes that make UTF-8 hard: leads, continuations, surrogates, ASCII.
                int[] pool = {0x41, 0x22, 0x5C, 0x0A, 0x80, 0xBF, 0xC0, 0xC3, 0xA9, 0xE0, 0xED, 0xA0, 0xF0, 0x9F, 0x98, 0xF4, 0x90, 0xFF};
                name[k] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : pool[random.nextInt(pool.length)]);
            }
            String s = NameCharset.fromBytes(name);
            assertThat(NameCharset.toBytes(s)).as("seed %d", seed).isEqualTo(name);
            byte[] earlier = seen.put(s, name);
            assertThat(earlier == null || java.util.Arrays.equals(earlier, name)).as("seed %d", seed).isTrue();
            assertThat(GoQuote.unquote(GoQuote.quote(s))).as("seed %d", seed).isEqualTo(s);
        }
    }

    @Test
    void validUtf8IsAnOrdinaryString() {
        String name = "Müsik 日本語 😀 e\u0301";
        assertThat(NameCharset.fromBytes(name.getBytes(StandardCharsets.UTF_8))).isEqualTo(name);
        assertThat(NameCharset.toBytes(name)).isEqualTo(name.getBytes(StandardCharsets.UTF_8));
        assertThat(NameCharset.hasRawBytes(name)).isFalse();
        assertThat(NameCharset.hasRawBytes(NameCharset.fromBytes(b('c', 0xFF)))).isTrue();
    }

    @Test
    void quotesLikeGosStrconvQuote() {
        assertThat(GoQuote.quote("a\"b")).isEqualTo("a\\\"b");
        assertThat(GoQuote.quote("a\\b")).isEqualTo("a\\\\b");
        assertThat(GoQuote.quote("line\nbreak\ttab\u0007\u000b")).isEqualTo("line\\nbreak\\ttab\\a\\v");
        assertThat(GoQuote.quote("\u0001\u007f")).isEqualTo("\\x01\\x7f");
        assertThat(GoQuote.quote(NameCharset.fromBytes(b('c', 'o', 'l', 0xFF, '.', 't', 'x', 't')))).isEqualTo("col\\xff.txt");
        // A surrogate written as UTF-8 is not valid UTF-8: Go escapes each of its bytes.
        assertThat(GoQuote.quote(NameCharset.fromBytes(b(0xED, 0xA0, 0x80)))).isEqualTo("\\xed\\xa0\\x80");
        assertThat(GoQuote.quote("é 日本 😀 <&>")).isEqualTo("é 日本 😀 <&>");
        assertThat(GoQuote.quote("\u00a0\u200f\ue000")).isEqualTo("\\u00a0\\u200f\\ue000");
        assertThat(GoQuote.quote(new String(Character.toChars(0xF0000)))).isEqualTo("\\U000f0000");
    }

    @Test
    void unquotesWhatGosUnquoteAcceptsAndRefusesTheRest() {
        assertThat(GoQuote.unquote("\\101\\x42\\u00e9\\U0001F600")).isEqualTo("ABé😀");
        assertThat(GoQuote.unquote("plain")).isEqualTo("plain");
        // What a JSON escape makes of a lone surrogate is U+FFFD for Go, not the byte the surrogate stands for here.
        assertThat(GoQuote.unquote("col\udcff")).isEqualTo("col\ufffd");
        for (String bad : List.of("a\"b", "a\nb", "a\\", "\\q", "\\x4", "\\ud800", "\\777", "\\UFFFFFFFF")) {
            assertThatThrownBy(() -> GoQuote.unquote(bad)).as(bad).isInstanceOf(FormatException.class);
        }
    }

    @Test
    void aTreeStoresNamesInResticsQuotedFormAndReadsThemBack() {
        String odd = NameCharset.fromBytes(b('q', '"', '\\', '\n', 0xFF, '<'));
        Node file = Node.file(odd, 0644, Instant.EPOCH, 0, List.of());
        byte[] json = TreeCodec.encode(List.of(file));
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"name\":\"q\\\\\\\"\\\\\\\\\\\\n\\\\xff\\u003c\"");
        assertThat(TreeCodec.decode(json)).singleElement().satisfies(n -> assertThat(n.name()).isEqualTo(odd));
    }

    @Test
    void nodesSortByTheirBytesAndTwoNamesDifferingInRawBytesStayTwo() {
        String ff = NameCharset.fromBytes(b('c', 0xFF));
        String fe = NameCharset.fromBytes(b('c', 0xFE));
        String ascii = "cz";
        byte[] json = TreeCodec.encode(List.of(Node.file(ff, 0644, Instant.EPOCH, 0, List.of()),
                Node.file(ascii, 0644, Instant.EPOCH, 0, List.of()), Node.file(fe, 0644, Instant.EPOCH, 0, List.of())));
        assertThat(TreeCodec.decode(json)).extracting(Node::name).containsExactly(ascii, fe, ff);
    }
}
