package app.threefold.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.account.AccountException;
import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestDatabase.class)
class PeopleTest {
    Accounts accounts;
    People people;
    long alice;

    @BeforeEach
    void setUp(Catalog catalog) {
        accounts = new Accounts(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), Clock.systemUTC());
        people = new People(catalog.jdbi(), accounts);
        alice = accounts.createAdmin("alice", "long enough".toCharArray()).id();
    }

    @Test
    void anAdminCannotDemoteOrRemoveThemselvesNorTheLastAdmin() {
        Person kid = people.createMember("kid", "kids password".toCharArray(), List.of("kid-laptop"));

        assertThatThrownBy(() -> people.update(alice, alice, Role.MEMBER, List.of())).isInstanceOf(OwnAccountException.class)
                .hasMessageContaining("your own account");
        assertThatThrownBy(() -> people.remove(alice, alice)).isInstanceOf(OwnAccountException.class);
        // Acting as someone else (e.g. an API token of a removed admin) still cannot drop the last admin.
        assertThatThrownBy(() -> people.update(kid.id(), alice, Role.MEMBER, List.of())).isInstanceOf(LastAdminException.class)
                .hasMessageContaining("last admin");
        assertThatThrownBy(() -> people.remove(kid.id(), alice)).isInstanceOf(LastAdminException.class);
        assertThat(people.find(alice).orElseThrow().role()).isEqualTo(Role.ADMIN);

        Person promoted = people.update(alice, kid.id(), Role.ADMIN, List.of("kid-laptop"));
        assertThat(promoted.role()).isEqualTo(Role.ADMIN);
        assertThat(promoted.devices()).isEmpty();
        assertThat(people.update(kid.id(), alice, Role.MEMBER, List.of("a", "b")).devices()).isEqualTo(Set.of("a", "b"));
        assertThat(people.remove(kid.id(), alice).name()).isEqualTo("alice");
        assertThat(people.list()).extracting(Person::name).containsExactly("kid");
        assertThatThrownBy(() -> people.remove(kid.id(), alice)).isInstanceOf(UnknownPersonException.class);
    }

    @Test
    void aResetPasswordReplacesTheOldOne() {
        Person kid = people.createMember("kid", "kids password".toCharArray(), List.of());

        assertThatThrownBy(() -> people.resetPassword(kid.id(), "short".toCharArray())).isInstanceOf(AccountException.class);
        people.resetPassword(kid.id(), "a new password".toCharArray());

        assertThat(accounts.verifyLogin("kid", "kids password".toCharArray())).isEmpty();
        assertThat(accounts.verifyLogin("kid", "a new password".toCharArray())).isPresent();
        assertThatThrownBy(() -> people.resetPassword(999, "a new password".toCharArray())).isInstanceOf(UnknownPersonException.class);
    }
}
