package app.threefold.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher(1024, 1, 1, new SecureRandom());

    @Test
    void aHashVerifiesItsPasswordAndNoOther() {
        String encoded = hasher.hash("correct horse".toCharArray());

        assertThat(hasher.verify("correct horse".toCharArray(), encoded)).isTrue();
        assertThat(hasher.verify("correct hors".toCharArray(), encoded)).isFalse();
        assertThat(hasher.verify("".toCharArray(), encoded)).isFalse();
    }

    @Test
    void hashesAreSaltedArgon2idStringsThatCarryTheirParameters() {
        String first = hasher.hash("same".toCharArray());
        String second = hasher.hash("same".toCharArray());

        assertThat(first).startsWith("$argon2id$v=19$m=1024,t=1,p=1$").isNotEqualTo(second);
    }

    @Test
    void aHashMadeWithOtherParametersStillVerifies() {
        String costly = new PasswordHasher(2048, 2, 2, new SecureRandom()).hash("pässwörd ✓".toCharArray());

        assertThat(costly).startsWith("$argon2id$v=19$m=2048,t=2,p=2$");
        assertThat(hasher.verify("pässwörd ✓".toCharArray(), costly)).isTrue();
    }

    @Test
    void malformedOrTamperedHashesNeverVerify() {
        String encoded = hasher.hash("secret".toCharArray());
        String tampered = encoded.substring(0, encoded.length() - 2)
                + (encoded.endsWith("AA") ? "BB" : "AA");

        assertThat(hasher.verify("secret".toCharArray(), tampered)).isFalse();
        assertThat(hasher.verify("secret".toCharArray(), "plain")).isFalse();
        assertThat(hasher.verify("secret".toCharArray(), null)).isFalse();
        assertThat(hasher.verify("secret".toCharArray(), encoded.replace("argon2id", "argon2i"))).isFalse();
    }
}
