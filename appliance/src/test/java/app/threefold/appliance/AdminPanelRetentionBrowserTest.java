package app.threefold.appliance;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.engine.Engine;
import app.threefold.repository.ResticCli;
import app.threefold.retention.ForgedHistory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A device's retention in the panel: edit the policy, see the preview with each snapshot's rule, pin, forget. */
class AdminPanelRetentionBrowserTest extends AdminPanelBrowser {

    @Test
    void anAdminEditsThePolicySeesWhatWouldGoPinsOneAndForgetsTheRest() throws Exception {
        Page page = desktop().newPage();
        List<String> errors = new ArrayList<>();
        page.onConsoleMessage(m -> {
            if (m.type().equals("error")) {
                errors.add(m.text());
            }
        });
        page.onDialog(d -> d.accept());
        setUpAsAdmin(page);
        backUpPhone();
        Engine engine = appliance.engine().orElseThrow();
        ForgedHistory.write(engine, "phone", engine.snapshots().latest("phone").orElseThrow().tree(), 40,
                Instant.now().minusSeconds(600), 5);

        page.navigate(base + "/devices/phone");
        Locator retention = page.locator("[data-testid=retention]");
        assertThat(retention).containsText("follows the default policy");
        assertThat(page.locator("[data-testid=preview-summary]"))
                .containsText("keep everything within 48h of the newest, 14 daily, 8 weekly, 24 monthly, 10 yearly");

        // A duration restic would not take says so in place of the preview.
        page.getByLabel("Keep everything within", new Page.GetByLabelOptions().setExact(true)).fill("2 weeks");
        assertThat(page.locator("[data-testid=preview-error]")).containsText("not a duration");

        // Typing a policy previews it at once; nothing is saved or forgotten yet.
        for (String field : List.of("Keep everything within", "Keep daily", "Keep weekly", "Keep monthly", "Keep yearly")) {
            page.getByLabel(field, new Page.GetByLabelOptions().setExact(true)).fill("");
        }
        page.getByLabel("Keep last", new Page.GetByLabelOptions().setExact(true)).fill("5");
        assertThat(page.locator("[data-testid=preview-summary]")).containsText("keep 5 last: keeps 5, forgets 36");
        assertThat(page.locator("tr.kept").first()).containsText("latest, last #1");
        assertThat(page.locator("tr.forgotten")).hasCount(36);

        page.getByText("Save policy").click();
        assertThat(page.locator("[data-testid=retention-notice]")).containsText("Saved: keep 5 last.");

        // Pin the oldest snapshot and label it: it stays, and says why.
        Locator oldest = page.locator("tr.forgotten").last();
        String pinnedId = oldest.getAttribute("data-snapshot");
        oldest.locator("[data-testid=pin]").click();
        Locator pinned = page.locator("tr[data-snapshot='" + pinnedId + "']");
        assertThat(pinned).containsText("pinned");
        pinned.getByPlaceholder("label").fill("before the move");
        pinned.getByPlaceholder("label").press("Enter");
        assertThat(page.locator("tr[data-snapshot='" + pinnedId + "'] input[name=label]")).hasValue("before the move");
        assertThat(page.locator("[data-testid=preview-summary]")).containsText("keeps 6, forgets 35");
        assertThat(page.locator("[data-testid=space]")).containsText("free of");
        shoot(page, "retention");
        // The docs' picture is retaken on purpose (-Dscreenshots=true): the Retention section alone.
        if (Boolean.getBoolean("screenshots")) {
            retention.screenshot(new Locator.ScreenshotOptions()
                    .setPath(repositoryRoot().resolve("docs").resolve("screenshots").resolve("retention.png")));
        }

        page.locator("[data-testid=forget-now]").click();
        assertThat(page.locator("[data-testid=retention-notice]")).containsText("Forgot 35 snapshots; kept 6");
        assertThat(page.locator("[data-testid=preview-summary]")).containsText("keeps 6, forgets 0");

        String password = Files.readString(dataDir.resolve("appliance.key"), StandardCharsets.US_ASCII).trim();
        String listed = new ResticCli(Engine.repositoryDir(dataDir), password).ok("snapshots", "--json", "--host", "phone");
        JsonNode snapshots = new ObjectMapper().readTree(listed.substring(listed.indexOf('[')));
        assertThat(snapshots.size()).isEqualTo(6);

        // The API's dry run: the newest and the pinned one stay whatever the policy.
        HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/devices/phone/forget"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"dryRun\": true, \"keepLast\": 1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
        JsonNode plan = new ObjectMapper().readTree(api.body());
        assertThat(plan.path("keep")).hasSize(2);
        assertThat(plan.path("keep").get(1).path("reasons").get(0).asText()).isEqualTo("pinned");
        assertThat(plan.path("forget")).hasSize(4);
        assertThat(plan.path("removed")).isEmpty();
        assertThat(errors).isEmpty();
    }

}
