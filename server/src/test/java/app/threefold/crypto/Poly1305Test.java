package app.threefold.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Poly1305Test {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void matchesTheWorkedExampleOfRfc8439() {
        byte[] key = HEX.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);

        assertThat(HEX.formatHex(tag(key, msg))).isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
    }

    /** RFC 8439 appendix A.3: the all-zero case and the vectors that exercise the carries. */
    @ParameterizedTest(name = "RFC 8439 A.3 #{0}")
    @CsvSource({
            "1, 0000000000000000000000000000000000000000000000000000000000000000,"
                    + " 00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000,"
                    + " 00000000000000000000000000000000",
            "5, 0200000000000000000000000000000000000000000000000000000000000000,"
                    + " ffffffffffffffffffffffffffffffff, 03000000000000000000000000000000",
            "6, 02000000000000000000000000000000ffffffffffffffffffffffffffffffff,"
                    + " 02000000000000000000000000000000, 03000000000000000000000000000000",
            "7, 0100000000000000000000000000000000000000000000000000000000000000,"
                    + " fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff11000000000000000000000000000000,"
                    + " 05000000000000000000000000000000",
            "8, 0100000000000000000000000000000000000000000000000000000000000000,"
                    + " fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe01010101010101010101010101010101,"
                    + " 00000000000000000000000000000000",
            "9, 0200000000000000000000000000000000000000000000000000000000000000,"
                    + " fdffffffffffffffffffffffffffffff, faffffffffffffffffffffffffffffff",
            "10, 0100000000000000040000000000000000000000000000000000000000000000,"
                    + " e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000,"
                    + " 14000000000000005500000000000000",
            "11, 0100000000000000040000000000000000000000000000000000000000000000,"
                    + " e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000,"
                    + " 13000000000000000000000000000000",
    })
    void matchesTheEdgeCaseVectorsOfRfc8439(int number, String key, String msg, String tag) {
        assertThat(HEX.formatHex(tag(HEX.parseHex(key), HEX.parseHex(msg)))).isEqualTo(tag);
    }

    @Test
    void agreesWithBouncyCastleOnRandomKeysAndEveryShortLength() {
        SplittableRandom random = new SplittableRandom(1305);
        for (int len = 0; len <= 300; len++) {
            for (int round = 0; round < 5; round++) {
                byte[] key = bytes(random, 32);
                byte[] msg = bytes(random, len);
                assertThat(tag(key, msg)).as("length %d", len).isEqualTo(bouncyCastle(key, msg));
            }
        }
    }

    @Test
    void agreesWithBouncyCastleOnLargeMessages() {
        SplittableRandom random = new SplittableRandom(8439);
        for (int len : new int[] {4096, 65_535, 1 << 20, (1 << 20) + 7}) {
            byte[] key = bytes(random, 32);
            byte[] msg = bytes(random, len);
            assertThat(tag(key, msg)).as("length %d", len).isEqualTo(bouncyCastle(key, msg));
        }
    }

    /** All-ones inputs push every limb and carry to its limit; random inputs rarely do. */
    @Test
    void agreesWithBouncyCastleWhenEveryBitIsSet() {
        for (int len : new int[] {0, 1, 15, 16, 17, 31, 32, 33, 64, 1000, 4096}) {
            byte[] ones = new byte[Math.max(len, 32)];
            Arrays.fill(ones, (byte) 0xff);
            byte[] key = Arrays.copyOf(ones, 32);
            byte[] msg = Arrays.copyOf(ones, len);
            assertThat(tag(key, msg)).as("length %d", len).isEqualTo(bouncyCastle(key, msg));

            byte[] almostP = new byte[len];
            for (int i = 0; i < len; i++) {
                almostP[i] = (byte) (i % 16 == 0 ? 0xfa : 0xff);
            }
            assertThat(tag(key, almostP)).as("length %d, near p", len).isEqualTo(bouncyCastle(key, almostP));
        }
    }

    @Test
    void readsTheMessageAtItsOffsetOnly() {
        SplittableRandom random = new SplittableRandom(42);
        byte[] key = bytes(random, 32);
        byte[] buffer = bytes(random, 200);
        byte[] out = new byte[20];

        new Poly1305(key, 0).tag(buffer, 13, 150, key, 16, out, 3);

        assertThat(Arrays.copyOfRange(out, 3, 19))
                .isEqualTo(bouncyCastle(key, Arrays.copyOfRange(buffer, 13, 163)));
    }

    private static byte[] tag(byte[] key, byte[] msg) {
        byte[] out = new byte[16];
        Poly1305.mac(key, msg, 0, msg.length, out, 0);
        return out;
    }

    private static byte[] bouncyCastle(byte[] key, byte[] msg) {
        org.bouncycastle.crypto.macs.Poly1305 mac = new org.bouncycastle.crypto.macs.Poly1305();
        mac.init(new KeyParameter(key));
        mac.update(msg, 0, msg.length);
        byte[] out = new byte[16];
        mac.doFinal(out, 0);
        return out;
    }

    private static byte[] bytes(SplittableRandom random, int len) {
        byte[] bytes = new byte[len];
        random.nextBytes(bytes);
        return bytes;
    }
}
