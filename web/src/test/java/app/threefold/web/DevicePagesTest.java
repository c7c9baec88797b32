package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.Device;
import app.threefold.device.Devices;
import app.threefold.login.LoginThrottle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Changing and deleting devices in the panel and over the API, as an admin sees it. */
@ExtendWith(TestDatabase.class)
class DevicePagesTest {

    private final ObjectMapper json = new ObjectMapper();
    @TempDir
    Path tmp;
    private Catalog catalog;
    private Devices devices;
    private WebServices services;
    private TestPanel.Running panel;
    private PanelClient admin;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir) throws Exception {
        this.catalog = catalog;
        Clock clock = Clock.systemUTC();
        PasswordHasher hasher = new PasswordHasher(1024, 1, 1, new SecureRandom());
        Accounts accounts = new Accounts(catalog.jdbi(), hasher, clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        devices = new Devices(catalog.jdbi(), hasher, clock);
        services = TestPanel.services(catalog, accounts, clock, dataDir, devices);
        panel = TestPanel.Running.start(services);
        admin = panel.login("alice", "long enough");
    }

    @AfterEach
    void stop() throws Exception {
        panel.close();
    }

    private String publicKey(String name) throws Exception {
        Path key = tmp.resolve(name);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@home", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        return Files.readString(key.resolveSibling(name + ".pub")).strip();
    }

    private void snapshot(String device, long bytes, long added) {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        catalog.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO snapshots (id, device, time, tree, files, bytes, bytes_added, files_removed)
                        VALUES (:id, :d, :t, :tree, 3, :b, :a, 2)""")
                .bind("id", id).bind("d", device).bind("t", OffsetDateTime.now()).bind("tree", new byte[32])
                .bind("b", bytes).bind("a", added).execute());
    }

    @Test
    void failedSftpLoginsAndABlockShowOnTheDevicePage() throws Exception {
        devices.create("laptop", "long enough".toCharArray(), null);
        assertThat(admin.get("/devices/laptop").body()).doesNotContain("failed login");
        LoginThrottle throttle = services.loginThrottle();
        // What the SFTP server reports for three wrong passwords from one address, then two from another.
        for (String address : List.of("10.0.0.7", "10.0.0.7", "10.0.0.7", "10.0.0.8", "10.0.0.8")) {
            LoginThrottle.Attempt attempt = new LoginThrottle.Attempt(address, LoginThrottle.Realm.DEVICES, "laptop");
            assertThat(throttle.attempt(attempt)).isEmpty();
            throttle.failed(attempt);
            if (address.equals("10.0.0.7")) {
                assertThat(admin.get("/devices/laptop").body()).doesNotContain("blocked until");
            }
        }
        String page = admin.get("/devices/laptop").body();
        java.time.Instant until = throttle.failures(LoginThrottle.Realm.DEVICES, "laptop").blockedUntil().orElseThrow();
        assertThat(page).contains("5 failed logins in the last 15 minutes, from 10.0.0.7, 10.0.0.8; blocked until "
                + java.time.format.DateTimeFormatter.ofPattern("HH:mm").withZone(java.time.ZoneId.systemDefault()).format(until));
        assertThat(admin.get("/devices/laptop-2").statusCode()).isEqualTo(404);
    }

    @Test
    void deletingADeviceSaysWhatStaysWantsItsNameAndKeepsItsSnapshotsBrowsable() throws Exception {
        devices.create("old-pc", "long enough".toCharArray(), null);
        snapshot("old-pc", 2_000_000, 1_500_000);
        snapshot("old-pc", 3_000_000, 500_000);

        HttpResponse<String> confirm = admin.get("/devices/old-pc/delete");
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.body()).contains("old-pc can no longer log in over SFTP", "2 snapshots stay in the repository",
                "3.0 MB", "2.0 MB added", "Nothing is deleted there", "continues the same history");

        HttpResponse<String> wrong = admin.post("/devices/old-pc/delete", Map.of("confirm", "old-p"));
        assertThat(wrong.statusCode()).isEqualTo(422);
        assertThat(wrong.body()).contains("You typed 'old-p', not 'old-pc'. Nothing was deleted.");
        assertThat(devices.find("old-pc")).isPresent();

        HttpResponse<String> deleted = admin.post("/devices/old-pc/delete", Map.of("confirm", "old-pc"));
        assertThat(deleted.statusCode()).isEqualTo(303);
        assertThat(deleted.headers().firstValue("Location")).hasValue("/devices/old-pc");
        assertThat(devices.find("old-pc")).isEmpty();
        assertThat(devices.authenticateByPassword("old-pc", "long enough".toCharArray())).isFalse();

        HttpResponse<String> page = admin.get("/devices/old-pc");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("old-pc was deleted", "Browse").doesNotContain("/devices/old-pc/edit");
        String dashboard = admin.get("/").body();
        assertThat(dashboard).contains("Archived devices", "data-archived=\"old-pc\"").doesNotContain("data-device=\"old-pc\"");
        assertThat(admin.get("/devices/old-pc/edit").statusCode()).isEqualTo(404);
    }

    @Test
    void anAdminChangesThePasswordKeysQuotaAndStateOnTheEditPage() throws Exception {
        devices.create("laptop", "long enough".toCharArray(), null);
        String key = publicKey("anna");

        assertThat(admin.get("/devices/laptop/edit").body()).contains("Change password", "No keys yet")
                .contains("The password cannot be removed while the device has no key");
        assertThat(admin.post("/devices/laptop/password", Map.of("clear", "true")).body())
                .contains("neither a password nor a key");

        assertThat(admin.post("/devices/laptop/keys", Map.of("publicKey", "ssh-rsa AAAA")).body())
                .contains("The ssh-rsa key is truncated");
        assertThat(admin.post("/devices/laptop/keys", Map.of("publicKey", key)).statusCode()).isEqualTo(303);
        assertThat(admin.post("/devices/laptop/password", Map.of("password", "short")).body()).contains("too short");
        assertThat(admin.post("/devices/laptop/password", Map.of("password", "a new password")).statusCode()).isEqualTo(303);
        assertThat(devices.authenticateByPassword("laptop", "a new password".toCharArray())).isTrue();
        assertThat(admin.post("/devices/laptop/password", Map.of("clear", "true")).statusCode()).isEqualTo(303);
        assertThat(admin.post("/devices/laptop/quota", Map.of("quotaGb", "lots")).body()).contains("is not a number of GB");
        assertThat(admin.post("/devices/laptop/quota", Map.of("quotaGb", "2.5")).statusCode()).isEqualTo(303);
        assertThat(admin.post("/devices/laptop/enabled", Map.of("enabled", "false")).statusCode()).isEqualTo(303);

        Device d = devices.find("laptop").orElseThrow();
        assertThat(d.hasPassword()).isFalse();
        assertThat(d.keyFingerprints()).hasSize(1);
        assertThat(d.quotaBytes()).isEqualTo(2_500_000_000L);
        assertThat(d.enabled()).isFalse();
        String page = admin.get("/devices/laptop/edit").body();
        assertThat(page).contains("keys only", "its only way to log in", "value=\"2.5\"", "disabled: it cannot log in",
                "Enable laptop");
        // The only key of a device without a password stays.
        HttpResponse<String> removeLast = admin.post("/devices/laptop/keys/remove", Map.of("fingerprint", d.keyFingerprints().get(0)));
        assertThat(removeLast.statusCode()).isEqualTo(422);
        assertThat(removeLast.body()).contains("could not log in");
        assertThat(devices.find("laptop").orElseThrow().keyFingerprints()).hasSize(1);
    }

    @Test
    void theApiChangesAndDeletesDevicesWithTheSameRules() throws Exception {
        devices.create("phone", "long enough".toCharArray(), null);
        snapshot("phone", 100, 100);
        String key = publicKey("phone");
        PanelClient api = new PanelClient(panel.server().port(), HttpClient.newHttpClient());
        Map<String, String> auth = Map.of("Authorization", PanelClient.basic("alice", "long enough"),
                "Content-Type", "application/json");

        HttpResponse<String> refused = api.send("PATCH", "/api/v1/devices/phone", "{\"password\": null}", auth);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("neither a password nor a key");
        HttpResponse<String> badShape = api.send("PATCH", "/api/v1/devices/phone", "{\"enabled\": \"no\"}", auth);
        assertThat(badShape.statusCode()).isEqualTo(400);

        HttpResponse<String> changed = api.send("PATCH", "/api/v1/devices/phone", json.writeValueAsString(Map.of(
                "password", "", "publicKeys", List.of(key), "quotaBytes", 1000, "enabled", false)), auth);
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        JsonNode view = json.readTree(changed.body());
        assertThat(view.get("password").asBoolean()).isFalse();
        assertThat(view.get("keys")).hasSize(1);
        assertThat(view.get("quotaBytes").asLong()).isEqualTo(1000);
        assertThat(view.get("enabled").asBoolean()).isFalse();
        assertThat(api.send("PATCH", "/api/v1/devices/nobody", "{\"enabled\": true}", auth).statusCode()).isEqualTo(404);

        assertThat(api.send("DELETE", "/api/v1/devices/phone", null, auth).statusCode()).isEqualTo(204);
        assertThat(api.send("DELETE", "/api/v1/devices/phone", null, auth).statusCode()).isEqualTo(404);
        HttpResponse<String> kept = api.send("GET", "/api/v1/devices/phone/snapshots", null, auth);
        assertThat(kept.statusCode()).isEqualTo(200);
        assertThat(json.readTree(kept.body()).get(0).get("filesRemoved").asLong()).isEqualTo(2);
        assertThat(api.send("GET", "/api/v1/devices", null, auth).body()).doesNotContain("phone");
    }

    @Test
    void theSnapshotListShowsRemovedFilesBesideNewAndChanged() throws Exception {
        devices.create("desk", "long enough".toCharArray(), null);
        snapshot("desk", 100, 100);

        assertThat(admin.get("/devices/desk").body()).contains("0 new, 0 changed, 0 unchanged, 2 removed");
    }

    @Test
    void aFailedSessionShowsUntilTheNextSnapshotAndASetAsideOneKeepsShowing() throws Exception {
        devices.create("tablet", "long enough".toCharArray(), null);
        snapshot("tablet", 100, 100);
        Thread.sleep(10);
        devices.audit("tablet", "sftp.session.failed", java.util.Map.of("error", "StackOverflowError", "journal", "abc"));
        devices.audit("tablet", "sftp.session.quarantined", java.util.Map.of("error", "line 2 of the journal cannot be read",
                "folder", "sessions-quarantine/abc"));

        String page = admin.get("/devices/tablet").body();
        assertThat(page).contains("could not be saved as a snapshot (StackOverflowError)")
                .contains("set aside in <code>sessions-quarantine/abc</code>");

        Thread.sleep(10);
        snapshot("tablet", 100, 100);
        page = admin.get("/devices/tablet").body();
        assertThat(page).doesNotContain("could not be saved as a snapshot").contains("sessions-quarantine/abc");
    }
}
