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
class AccountsTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private Accounts accounts;

    @BeforeEach
    void setUp(Catalog catalog) {
        accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void aNewCatalogHasNoAdminUntilOneIsCreated() {
        assertThat(accounts.anyAdminExists()).isFalse();

        AdminUser admin = accounts.createAdmin("alice", "long enough".toCharArray());

        assertThat(accounts.anyAdminExists()).isTrue();
        assertThat(admin.name()).isEqualTo("alice");
        assertThat(admin.created()).isEqualTo(NOW);
        assertThat(accounts.list()).containsExactly(admin);
    }

    @Test
    void loginSucceedsOnlyWithTheRightNameAndPassword() {
        AdminUser admin = accounts.createAdmin("alice", "long enough".toCharArray());

        assertThat(accounts.verifyLogin("alice", "long enough".toCharArray())).contains(admin);
        assertThat(accounts.verifyLogin("alice", "wrong password".toCharArray())).isEmpty();
        assertThat(accounts.verifyLogin("bob", "long enough".toCharArray())).isEmpty();
    }

    @Test
    void aTakenNameIsRefusedWithAClearMessage() {
        accounts.createAdmin("alice", "long enough".toCharArray());

        assertThatThrownBy(() -> accounts.createAdmin("alice", "another one".toCharArray()))
                .isInstanceOf(AccountException.class)
                .hasMessage("An admin named 'alice' already exists; choose another name.");
    }

    @Test
    void invalidNamesAndShortPasswordsAreRefusedAndNothingIsStored() {
        assertThatThrownBy(() -> accounts.createAdmin("../root", "long enough".toCharArray()))
                .isInstanceOf(AccountException.class).hasMessageContaining("Invalid admin name");
        assertThatThrownBy(() -> accounts.createAdmin("alice", "short".toCharArray()))
                .isInstanceOf(AccountException.class).hasMessageContaining("at least 8 characters");

        assertThat(accounts.anyAdminExists()).isFalse();
    }

    @Test
    void passwordsAreStoredOnlyAsArgon2idHashes(Catalog catalog) {
        accounts.createAdmin("alice", "long enough".toCharArray());

        String stored = catalog.jdbi().withHandle(h -> h.createQuery("SELECT password_hash FROM admin_users")
                .mapTo(String.class).one());
        assertThat(stored).startsWith("$argon2id$").doesNotContain("long enough");
    }
}
