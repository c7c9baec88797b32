package app.threefold.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CryptoTest {

    private static final HexFormat HEX = HexFormat.of();

    private final SecureRandom random = new SecureRandom();
    private final Crypto crypto = new Crypto(MasterKey.random(random), random);

    /** The four examples of Bernstein's Poly1305-AES paper (restic checks the same ones). */
    @ParameterizedTest(name = "Poly1305-AES paper example {index}")
    @CsvSource({
            "f3f6, 851fc40c3467ac0be05cc20404f3f700, ec074c835580741701425b623235add6,"
                    + " fb447350c4e868c52ac3275cf9d4327e, f4c633c3044fc145f84f335cb81953de",
            "'', a0f3080000f46400d0c7e9076c834403, 75deaa25c09f208e1dc4ce6b5cad3fbf,"
                    + " 61ee09218d29b0aaed7e154a2c5509cc, dd3fab2251f11ac759f0887129cc2ee7",
            "663cea190ffb83d89593f3f476b6bc24d7e679107ea26adb8caf6652d0656136,"
                    + " 48443d0bb0d21109c89a100b5ce2c208, 6acb5f61a7176dd320c5c1eb2edcdc74,"
                    + " ae212a55399729595dea458bc621ff0e, 0ee1c16bb73f0f4fd19881753c01cdbe",
            "ab0812724a7f1e342742cbed374d94d136c6b8795d45b3819830f2c04491faf0990c62e48b8018b2c3e4a0fa3134cb67"
                    + "fa83e158c994d961c4cb21095c1bf9, 12976a08c4426d0ce8a82407c4f48207,"
                    + " e1a5668a4d5b66a5f68cc5424ed5982d, 9ae831e743978d3a23527c7128149e3a,"
                    + " 5154ad0d2cb26e01274fc51148491f1b",
    })
    void computesPoly1305AesAsItsPaperDoes(String msg, String r, String k, String nonce, String mac) {
        Crypto withKey = new Crypto(new MasterKey(new byte[32], HEX.parseHex(k), HEX.parseHex(r)), random);
        byte[] message = HEX.parseHex(msg);
        byte[] out = new byte[16];

        withKey.mac(HEX.parseHex(nonce), 0, message, 0, message.length, out, 0);

        assertThat(HEX.formatHex(out)).isEqualTo(mac);
    }

    @Test
    void opensAMessageThatResticSealed() {
        MasterKey key = new MasterKey(
                HEX.parseHex("303e8687b1d7db18421bdc6bb8588ccadac4d59ee87b8ff70c44e635790cafef"),
                HEX.parseHex("ef4d8824cb80b2bcc5fbff8a9b12a42c"),
                HEX.parseHex("cc8d4b948ee0ebfe1d415de921d10353"));
        byte[] sealed = HEX.parseHex("69fb41c62d12def4593bd71757138606338f621aeaeb39da0fe4f99233f8037a"
                + "54ea63338a813bcf3f75d8c3cc75dddf8750");

        byte[] plain = new Crypto(key, random).open(sealed);

        assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo("Dies ist ein Test!");
    }

    @Test
    void macAgreesWithBouncyCastlesPoly1305Aes() {
        SplittableRandom seeded = new SplittableRandom(7);
        for (int len : new int[] {0, 1, 16, 33, 1000, 1 << 16}) {
            byte[] k = bytes(seeded, 16);
            byte[] r = bytes(seeded, 16);
            byte[] nonce = bytes(seeded, 16);
            byte[] msg = bytes(seeded, len);
            byte[] ours = new byte[16];
            new Crypto(new MasterKey(bytes(seeded, 32), k, r), random).mac(nonce, 0, msg, 0, len, ours, 0);

            Poly1305 theirs = new Poly1305(AESEngine.newInstance());
            byte[] rk = new byte[32];
            System.arraycopy(r, 0, rk, 0, 16);
            System.arraycopy(k, 0, rk, 16, 16);
            theirs.init(new ParametersWithIV(new KeyParameter(rk), nonce));
            theirs.update(msg, 0, len);
            byte[] expected = new byte[16];
            theirs.doFinal(expected, 0);

            assertThat(ours).as("length %d", len).isEqualTo(expected);
        }
    }

    @Test
    void sealedMessagesOpenToTheirPlaintextAtEveryLength() {
        SplittableRandom seeded = new SplittableRandom(99);
        for (int len : new int[] {0, 1, 15, 16, 17, 255, 4096, (1 << 20) + 3}) {
            byte[] plain = bytes(seeded, len);

            byte[] sealed = crypto.seal(plain);

            assertThat(sealed).hasSize(len + Crypto.OVERHEAD);
            assertThat(crypto.open(sealed)).isEqualTo(plain);
        }
    }

    @Test
    void sealingTheSameDataTwiceGivesDifferentBytes() {
        byte[] plain = "the same chunk".getBytes(StandardCharsets.UTF_8);

        assertThat(crypto.seal(plain)).isNotEqualTo(crypto.seal(plain));
    }

    @Test
    void sealAndOpenUseOnlyTheGivenRange() {
        byte[] buffer = "xxxxhello, worldyyyy".getBytes(StandardCharsets.UTF_8);

        byte[] sealed = crypto.seal(buffer, 4, 12);
        byte[] framed = new byte[sealed.length + 10];
        System.arraycopy(sealed, 0, framed, 5, sealed.length);

        assertThat(new String(crypto.open(framed, 5, sealed.length), StandardCharsets.UTF_8))
                .isEqualTo("hello, world");
    }

    @Test
    void flippingAnyOneByteOfASealedMessageIsDetected() {
        byte[] sealed = crypto.seal(bytes(new SplittableRandom(3), 100));

        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            int position = i;
            assertThatThrownBy(() -> crypto.open(tampered))
                    .as("byte %d flipped", position)
                    .isInstanceOf(AuthenticationFailedException.class)
                    .hasMessageContaining("data was modified or the key is wrong");
        }
    }

    @Test
    void anotherKeyCannotOpenAMessage() {
        byte[] sealed = crypto.seal("secret".getBytes(StandardCharsets.UTF_8));
        Crypto other = new Crypto(MasterKey.random(random), random);

        assertThatThrownBy(() -> other.open(sealed)).isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void aMessageTooShortToHoldItsIvAndMacIsRejected() {
        assertThatThrownBy(() -> crypto.open(new byte[Crypto.OVERHEAD - 1]))
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("shorter than its IV and MAC");
    }

    @Test
    void oneInstanceSealsAndOpensFromManyThreadsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int task = 0; task < 16; task++) {
                long seed = task;
                results.add(pool.submit(() -> {
                    SplittableRandom seeded = new SplittableRandom(seed);
                    for (int i = 0; i < 200; i++) {
                        byte[] plain = bytes(seeded, seeded.nextInt(5000));
                        if (!Arrays.equals(crypto.open(crypto.seal(plain)), plain)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void masterKeysNeverPrintTheirBytes() {
        assertThat(MasterKey.random(random).toString()).isEqualTo("MasterKey[redacted]");
    }

    private static byte[] bytes(SplittableRandom random, int len) {
        byte[] bytes = new byte[len];
        random.nextBytes(bytes);
        return bytes;
    }
}
