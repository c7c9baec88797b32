package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.access.People;
import app.threefold.access.Person;
import app.threefold.access.Role;
import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Changing, resetting and removing people on the people pages. */
@ExtendWith(TestDatabase.class)
class PeoplePagesTest {

    private Accounts accounts;
    private People people;
    private WebServices services;
    private TestPanel.Running panel;
    private long alice;
    private PanelClient admin;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir) throws Exception {
        Clock clock = Clock.systemUTC();
        accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        alice = accounts.createAdmin("alice", "long enough".toCharArray()).id();
        services = TestPanel.services(catalog, accounts, clock, dataDir, null);
        people = services.panel().people();
        panel = TestPanel.Running.start(services);
        admin = panel.login("alice", "long enough");
    }

    @AfterEach
    void stop() throws Exception {
        panel.close();
    }

    @Test
    void anAdminCannotRemoveOrDemoteThemselvesAndIsToldWhy() throws Exception {
        HttpResponse<String> page = admin.get("/people/" + alice);
        assertThat(page.body()).contains("You cannot remove your own account").doesNotContain("/people/" + alice + "/remove\"");

        HttpResponse<String> demote = admin.post("/people/" + alice, Map.of("role", "member"));
        HttpResponse<String> remove = admin.post("/people/" + alice + "/remove", Map.of());

        assertThat(demote.statusCode()).isEqualTo(422);
        assertThat(demote.body()).contains("You cannot demote your own account; ask another admin to do it.");
        assertThat(remove.statusCode()).isEqualTo(422);
        assertThat(remove.body()).contains("You cannot remove your own account");
        assertThat(people.find(alice).orElseThrow().role()).isEqualTo(Role.ADMIN);
    }

    @Test
    void theLastAdminCannotBeDemotedByAnotherAdminWhoIsThenDemotedThemselves() throws Exception {
        Person bob = people.createMember("bob", "bobs password".toCharArray(), List.of());
        assertThat(admin.post("/people/" + bob.id(), Map.of("role", "admin")).statusCode()).isEqualTo(303);
        PanelClient asBob = panel.login("bob", "bobs password");
        assertThat(asBob.post("/people/" + alice, Map.of("role", "member")).statusCode()).isEqualTo(303);

        HttpResponse<String> last = admin.get("/people/" + bob.id());
        assertThat(last.statusCode()).as("alice is a member now").isEqualTo(403);
        HttpResponse<String> refused = asBob.post("/people/" + bob.id(), Map.of("role", "member"));
        assertThat(refused.body()).contains("You cannot demote your own account");
    }

    @Test
    void aMembersDevicesAndRoleAreChangedOnTheirPage() throws Exception {
        Person kid = people.createMember("kid", "kids password".toCharArray(), List.of("kid-laptop"));

        String page = admin.get("/people/" + kid.id()).body();
        assertThat(page).contains("value=\"kid-laptop\" checked", "Reset password", "Remove kid");
        assertThat(admin.post("/people/" + kid.id(), formOf("role", "member", "devices", "kid-phone")).statusCode()).isEqualTo(303);

        assertThat(people.find(kid.id()).orElseThrow().devices()).isEqualTo(Set.of("kid-phone"));
        assertThat(admin.get("/people").body()).contains("kid-phone").contains("href=\"/people/" + kid.id() + "\"");
    }

    @Test
    void resettingAPasswordOrRemovingAPersonEndsTheirSessions() throws Exception {
        Person kid = people.createMember("kid", "kids password".toCharArray(), List.of());
        PanelClient kidBrowser = panel.login("kid", "kids password");
        assertThat(kidBrowser.get("/").statusCode()).isEqualTo(200);

        assertThat(admin.post("/people/" + kid.id() + "/password", Map.of("password", "short")).body())
                .contains("too short");
        assertThat(admin.post("/people/" + kid.id() + "/password", Map.of("password", "a new password")).statusCode())
                .isEqualTo(303);
        assertThat(kidBrowser.get("/").statusCode()).as("logged out").isEqualTo(302);
        assertThat(accounts.verifyLogin("kid", "a new password".toCharArray())).isPresent();

        kidBrowser.login("kid", "a new password");
        assertThat(admin.post("/people/" + kid.id() + "/remove", Map.of()).statusCode()).isEqualTo(303);
        HttpResponse<String> after = kidBrowser.get("/");
        assertThat(after.statusCode()).isEqualTo(302);
        assertThat(after.headers().firstValue("Location").orElseThrow()).startsWith("/login");
        assertThat(people.list()).extracting(Person::name).containsExactly("alice");
        assertThat(admin.get("/people/" + kid.id()).statusCode()).isEqualTo(404);
        assertThat(admin.get("/").statusCode()).as("the admin stays logged in").isEqualTo(200);
    }

    /** A form with repeated fields (checkboxes), as Map.of cannot hold. */
    private static Map<String, String> formOf(String... pairs) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
