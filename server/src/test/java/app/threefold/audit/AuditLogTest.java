package app.threefold.audit;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.account.PasswordHasher;
import app.threefold.device.Devices;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestDatabase.class)
class AuditLogTest {

    @Test
    void entriesComeBackNewestFirstAndFilterByActionPrefixAndText(Catalog catalog) {
        AuditLog log = new AuditLog(catalog.jdbi(), Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC));
        log.record("alice", "login.ok", Map.of("address", "10.0.0.2"));
        log.record("mallory", "login.failed", Map.of("address", "10.0.0.66"));
        log.record("alice", "restore-test.passed", Map.of("device", "laptop", "files", 12));

        assertThat(log.search(null, null, 10)).extracting(AuditEntry::action)
                .containsExactly("restore-test.passed", "login.failed", "login.ok");
        assertThat(log.search("login.", null, 10)).extracting(AuditEntry::actor).containsExactly("mallory", "alice");
        assertThat(log.search("login.ok", null, 10)).extracting(AuditEntry::actor).containsExactly("alice");
        assertThat(log.search("login", null, 10)).isEmpty();
        assertThat(log.search(null, "LAPTOP", 10)).singleElement()
                .satisfies(e -> assertThat(e.detail()).containsEntry("files", 12));
        assertThat(log.search(null, "100%", 10)).isEmpty();
        assertThat(log.actions()).containsExactly("login.failed", "login.ok", "restore-test.passed");
    }

    @Test
    void controlCharactersInWhatStrangersTypedAreEscapedSoNoEntryCanBeForged(Catalog catalog) {
        AuditLog log = new AuditLog(catalog.jdbi(), Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC));
        log.record("x\nFAKE LINE", "login.failed", Map.of("address", "10.0.0.66", "name", "a\r\nb\tc\u001b[31md\u202ee",
                "more", java.util.List.of("one\ntwo"), "files", 3));
        Devices devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new java.security.SecureRandom()),
                Clock.systemUTC());
        devices.audit("y\r\nFAKE", "sftp.login-failed", Map.of("address", "10.0.0.7"));

        AuditEntry entry = log.search("login.failed", null, 1).getFirst();
        assertThat(entry.actor()).isEqualTo("x\\nFAKE LINE");
        assertThat(entry.detail()).containsEntry("name", "a\\r\\nb\\tc\\u001b[31md\\u202ee")
                .containsEntry("more", java.util.List.of("one\\ntwo")).containsEntry("files", 3)
                .containsEntry("address", "10.0.0.66");
        assertThat(log.search("sftp.login-failed", null, 1).getFirst().actor()).isEqualTo("y\\r\\nFAKE");
        assertThat(OneLine.escape("C:\\Users\\anna\\Ünïcødé 📷.jpg")).isEqualTo("C:\\Users\\anna\\Ünïcødé 📷.jpg");
    }
}
