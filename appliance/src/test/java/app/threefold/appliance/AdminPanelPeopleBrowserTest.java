package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.options.AriaRole;
import java.util.List;
import org.junit.jupiter.api.Test;

/** People: a member who owns only the phone sees only the phone; logged out, nothing but the login page. */
class AdminPanelPeopleBrowserTest extends AdminPanelBrowser {

    @Test
    void aMemberSeesOnlyTheirOwnDeviceAndAStrangerOnlyTheLoginPage() throws Exception {
        BrowserContext context = desktop();
        Page page = watchedPage(context);
        setUpAsAdmin(page);
        backUpLaptop(page);
        backUpPhone();
        page.navigate(base + "/");
        page.locator("[data-device=laptop]").getByText("Browse").click();
        page.getByText("photos/").click();
        String fileUrl = page.getByText("big.bin").getAttribute("href");

        // A member who owns only the phone.
        page.navigate(base + "/people");
        page.getByLabel("Name").fill("kid");
        page.getByLabel("Password (at least 8 characters)").fill("kids password");
        page.getByLabel("phone").check();
        page.getByText("Add member").click();
        assertThat(page.locator("table")).containsText("kid");
        page.getByText("Log out admin").click();
        assertThat(page).hasURL(base + "/login");
        page.getByLabel("Name").fill("kid");
        page.getByLabel("Password").fill("kids password");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
        assertThat(page.locator(".cards")).containsText("phone");
        assertThat(page.locator(".cards")).not().containsText("laptop");
        Response forbidden = page.navigate(base + "/devices/laptop");
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(context.request().get(base + fileUrl).status()).isEqualTo(403);

        // Logged out, nothing but the login page.
        BrowserContext stranger = browser.newContext();
        Page strangerPage = stranger.newPage();
        for (String path : List.of("/", "/devices/laptop", fileUrl, "/activity")) {
            strangerPage.navigate(base + path);
            assertThat(strangerPage.url()).as(path).startsWith(base + "/login");
            assertThat(strangerPage.locator("h1")).hasText("Log in");
        }
        shoot(strangerPage, "login");

        assertNoDialogsOrConsoleErrors();
    }
}
