package app.threefold.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class KeyFileTest {

    private static final KeyFile.Params FAST = new KeyFile.Params(1024, 8, 1);

    private final SecureRandom random = new SecureRandom();
    private final ObjectMapper json = new ObjectMapper();
    private final MasterKey master = MasterKey.random(random);

    @Test
    void aKeyFileOpensWithItsPasswordToTheMasterKey() {
        byte[] file = create("correct horse battery staple");

        assertThat(KeyFile.open(file, "correct horse battery staple".toCharArray())).isEqualTo(master);
    }

    @Test
    void passwordsAreHashedAsUtf8() {
        byte[] file = create("pässwörd ✓");

        assertThat(KeyFile.open(file, "pässwörd ✓".toCharArray())).isEqualTo(master);
        assertThatThrownBy(() -> KeyFile.open(file, "passwoerd ✓".toCharArray()))
                .isInstanceOf(WrongPasswordException.class);
    }

    @Test
    void aWrongPasswordIsReportedAsSuch() {
        byte[] file = create("right");

        assertThatThrownBy(() -> KeyFile.open(file, "wrong".toCharArray()))
                .isInstanceOf(WrongPasswordException.class)
                .hasMessageContaining("password is wrong");
    }

    @Test
    void theFileCarriesResticsFieldsInResticsOrder() throws Exception {
        Instant created = Instant.parse("2026-11-23T10:44:57.015465874Z");
        byte[] file = KeyFile.create(master, "pw".toCharArray(), "alice", "nas", created, FAST, random);

        JsonNode node = json.readTree(file);

        assertThat(node.fieldNames()).toIterable()
                .containsExactly("created", "username", "hostname", "kdf", "N", "r", "p", "salt", "data");
        assertThat(node.get("created").asText()).isEqualTo("2026-11-23T10:44:57.015465874Z");
        assertThat(node.get("username").asText()).isEqualTo("alice");
        assertThat(node.get("hostname").asText()).isEqualTo("nas");
        assertThat(node.get("kdf").asText()).isEqualTo("scrypt");
        assertThat(node.get("N").asInt()).isEqualTo(1024);
        assertThat(Base64.getDecoder().decode(node.get("salt").asText())).hasSize(64);
        // {"mac":{"k":"<24 chars>","r":"<24 chars>"},"encrypt":"<44 chars>"} is 128 bytes
        assertThat(Base64.getDecoder().decode(node.get("data").asText())).hasSize(128 + Crypto.OVERHEAD);
    }

    @Test
    void aKeyFileWithAnotherKdfIsRefusedWithAClearMessage() throws Exception {
        ObjectNode node = (ObjectNode) json.readTree(create("pw"));
        node.put("kdf", "argon2id");

        assertThatThrownBy(() -> KeyFile.open(json.writeValueAsBytes(node), "pw".toCharArray()))
                .isInstanceOf(KeyFileFormatException.class)
                .hasMessageContaining("argon2id");
    }

    @Test
    void aKeyFileAskingForAbsurdScryptMemoryIsRefusedBeforeDerivingAnything() throws Exception {
        ObjectNode node = (ObjectNode) json.readTree(create("pw"));
        node.put("N", 1 << 30);

        assertThatThrownBy(() -> KeyFile.open(json.writeValueAsBytes(node), "pw".toCharArray()))
                .isInstanceOf(KeyFileFormatException.class)
                .hasMessageContaining("memory");
    }

    @Test
    void bytesThatAreNotAKeyFileAreRefused() {
        assertThatThrownBy(() -> KeyFile.open("not json".getBytes(StandardCharsets.UTF_8), "pw".toCharArray()))
                .isInstanceOf(KeyFileFormatException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> KeyFile.open("{\"kdf\":\"scrypt\"}".getBytes(StandardCharsets.UTF_8),
                "pw".toCharArray()))
                .isInstanceOf(KeyFileFormatException.class)
                .hasMessageContaining("\"N\"");
    }

    @Test
    void scryptParametersMustBeValid() {
        assertThatThrownBy(() -> new KeyFile.Params(1000, 8, 1)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new KeyFile.Params(1024, 0, 1)).hasMessageContaining("positive");
        assertThat(KeyFile.Params.DEFAULT).isEqualTo(new KeyFile.Params(32768, 8, 1));
    }

    private byte[] create(String password) {
        return KeyFile.create(master, password.toCharArray(), "alice", "nas", Instant.now(), FAST, random);
    }
}
