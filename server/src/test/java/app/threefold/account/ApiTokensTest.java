package app.threefold.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestDatabase.class)
class ApiTokensTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private Catalog catalog;
    private ApiTokens tokens;
    private AdminUser alice;

    @BeforeEach
    void setUp(Catalog catalog) {
        this.catalog = catalog;
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        alice = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock)
                .createAdmin("alice", "long enough".toCharArray());
        tokens = new ApiTokens(catalog.jdbi(), clock, new SecureRandom());
    }

    @Test
    void aCreatedTokenIdentifiesItsAdminAndRecordsItsUse() {
        IssuedToken token = tokens.create("alice", "backup script");

        assertThat(tokens.verify(token.secret())).contains(alice);
        Instant lastUsed = catalog.jdbi().withHandle(h -> h.createQuery("SELECT last_used FROM api_tokens")
                .mapTo(Instant.class).one());
        assertThat(lastUsed).isEqualTo(NOW);
    }

    @Test
    void unknownOrAlteredTokensAreRejected() {
        IssuedToken token = tokens.create("alice", "");

        assertThat(tokens.verify(token.secret() + "x")).isEmpty();
        assertThat(tokens.verify("tf_nothing")).isEmpty();
        assertThat(tokens.verify("")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
    }

    @Test
    void onlyAHashOfTheSecretIsStoredAndTheSecretIsNotPrinted() {
        IssuedToken token = tokens.create("alice", "ci");

        byte[] stored = catalog.jdbi().withHandle(h -> h.createQuery("SELECT token_hash FROM api_tokens")
                .mapTo(byte[].class).one());
        assertThat(stored).hasSize(32);
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(token.secret());
        assertThat(token.toString()).doesNotContain(token.secret());
    }

    @Test
    void aTokenForAnUnknownAdminIsRefused() {
        assertThatThrownBy(() -> tokens.create("bob", ""))
                .isInstanceOf(AccountException.class)
                .hasMessageContaining("no admin named 'bob'");
    }
}
