package app.threefold.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** restic itself is the judge: it must read what we write, and we must read what it writes. */
class ResticCompatibilityTest {

    private static final String PASSWORD = "restic is the judge";

    private final SecureRandom random = new SecureRandom();
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void opensTheKeyFileAndConfigOfARepositoryResticInitialized() throws Exception {
        Path repo = dir.resolve("repo");
        restic(repo, "init", "--repository-version", "2");
        byte[] keyFile = onlyFileIn(repo.resolve("keys"));

        MasterKey key = KeyFile.open(keyFile, PASSWORD.toCharArray());
        JsonNode config = json.readTree(new Crypto(key, random).open(Files.readAllBytes(repo.resolve("config"))));

        assertThat(config.get("version").asInt()).isEqualTo(2);
        assertThat(config.get("id").asText()).matches("[0-9a-f]{64}");
        assertThat(config.get("chunker_polynomial").asText()).matches("[0-9a-f]+");
        assertThat(key).isEqualTo(masterKeyAsResticPrintsIt(repo));
        assertThatThrownBy(() -> KeyFile.open(keyFile, "not the password".toCharArray()))
                .isInstanceOf(WrongPasswordException.class);
    }

    @Test
    void resticOpensARepositoryWrittenByHand() throws Exception {
        Path repo = dir.resolve("repo");
        for (String sub : List.of("keys", "snapshots", "index", "locks")) {
            Files.createDirectories(repo.resolve(sub));
        }
        for (int i = 0; i < 256; i++) {
            Files.createDirectories(repo.resolve("data").resolve(String.format("%02x", i)));
        }
        MasterKey key = MasterKey.random(random);
        byte[] id = new byte[32];
        random.nextBytes(id);
        String config = "{\"version\":2,\"id\":\"" + HexFormat.of().formatHex(id)
                + "\",\"chunker_polynomial\":\"3da3358b4dc173\"}";
        Files.write(repo.resolve("config"), new Crypto(key, random).seal(config.getBytes(StandardCharsets.UTF_8)));
        // small scrypt parameters keep the test fast; restic must accept any valid ones
        byte[] keyFile = KeyFile.create(key, PASSWORD.toCharArray(), "alice", "threefold-test",
                Instant.now(), new KeyFile.Params(1024, 8, 1), random);
        String keyName = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(keyFile));
        Files.write(repo.resolve("keys").resolve(keyName), keyFile);

        assertThat(json.readTree(restic(repo, "cat", "config"))).isEqualTo(json.readTree(config));
        assertThat(masterKeyAsResticPrintsIt(repo)).isEqualTo(key);
        assertThat(json.readTree(restic(repo, "snapshots", "--json"))).isEmpty();
        assertThat(restic(repo, "key", "list")).contains("alice").contains("threefold-test");
        restic(repo, "check");
    }

    @Test
    void resticRejectsAWrongPasswordForOurKeyFileToo() throws Exception {
        Path repo = dir.resolve("repo");
        restic(repo, "init", "--repository-version", "2");
        MasterKey key = KeyFile.open(onlyFileIn(repo.resolve("keys")), PASSWORD.toCharArray());
        byte[] ours = KeyFile.create(key, "second password".toCharArray(), "bob", "laptop",
                Instant.now(), new KeyFile.Params(1024, 8, 1), random);
        String name = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ours));
        Files.write(repo.resolve("keys").resolve(name), ours);

        assertThat(run(repo, "second password", "cat", "config").exitCode).isZero();
        Result wrong = run(repo, "third password", "cat", "config");
        assertThat(wrong.exitCode).isNotZero();
        assertThat(wrong.stderr).contains("wrong password");
    }

    private MasterKey masterKeyAsResticPrintsIt(Path repo) throws IOException, InterruptedException {
        JsonNode printed = json.readTree(restic(repo, "cat", "masterkey"));
        Base64.Decoder base64 = Base64.getDecoder();
        return new MasterKey(base64.decode(printed.get("encrypt").asText()),
                base64.decode(printed.get("mac").get("k").asText()),
                base64.decode(printed.get("mac").get("r").asText()));
    }

    private static byte[] onlyFileIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            return Files.readAllBytes(all.get(0));
        }
    }

    /** Runs restic with the test password and returns its stdout; fails on a non-zero exit. */
    private String restic(Path repo, String... args) throws IOException, InterruptedException {
        Result result = run(repo, PASSWORD, args);
        assertThat(result.exitCode)
                .as("restic %s failed:%n%s", String.join(" ", args), result.stderr)
                .isZero();
        return result.stdout;
    }

    private Result run(Path repo, String password, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("restic", "--no-cache", "-r", repo.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("restic.out").toFile())
                .redirectError(dir.resolve("restic.err").toFile());
        builder.environment().put("RESTIC_PASSWORD", password);
        builder.environment().remove("RESTIC_REPOSITORY");
        builder.environment().remove("RESTIC_PASSWORD_FILE");
        builder.environment().remove("RESTIC_PASSWORD_COMMAND");
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("restic " + String.join(" ", args) + " did not finish in 2 minutes");
        }
        return new Result(process.exitValue(),
                Files.readString(dir.resolve("restic.out")),
                Files.readString(dir.resolve("restic.err")));
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }
}
