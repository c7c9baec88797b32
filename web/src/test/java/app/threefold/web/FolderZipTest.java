package app.threefold.web;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.account.Accounts;
import app.threefold.account.ApiTokens;
import app.threefold.account.PasswordHasher;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.engine.Engine;
import app.threefold.engine.EngineHolder;
import app.threefold.health.ComponentHealth;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A folder's zip, unpacked by Info-ZIP unzip and Python's zipfile: exactly the snapshot's names, nothing outside. */
@ExtendWith(TestDatabase.class)
class FolderZipTest {

    private static final String EVIL = "..\\..\\evil.txt";
    @TempDir
    Path work;
    private WebServer server;
    private WebServices services;
    private Engine engine;
    private PanelClient browser;
    private String snapshot;

    @BeforeEach
    void start(Catalog catalog, @TempDir Path dataDir) throws Exception {
        Clock clock = Clock.systemUTC();
        engine = Engine.create(dataDir, "repository password".toCharArray(), catalog, clock);
        Path source = Files.createDirectories(work.resolve("source"));
        Files.writeString(source.resolve(EVIL), "climb");
        Files.writeString(Files.createDirectories(source.resolve("Müsik")).resolve("a.txt"), "a");
        Files.writeString(Files.createDirectories(source.resolve("日本語")).resolve("b.txt"), "b");
        Files.createDirectories(source.resolve("Müsik").resolve("leer"));
        snapshot = engine.backupFolder("pc", source).snapshot().id().hex();
        Accounts accounts = new Accounts(catalog.jdbi(), new PasswordHasher(1024, 1, 1, new SecureRandom()), clock);
        accounts.createAdmin("alice", "long enough".toCharArray());
        services = new WebServices("test", clock, clock.instant(),
                () -> List.of(new ComponentHealth("database", ComponentHealth.State.UP)), accounts,
                new ApiTokens(catalog.jdbi(), clock, new SecureRandom()), dataDir, null, Map::of,
                TestPanel.create(catalog, accounts, clock, dataDir, new EngineHolder(engine)));
        server = WebServer.start("127.0.0.1", 0, services);
        browser = new PanelClient(server.port()).login("alice", "long enough");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        services.panel().jobs().close();
        engine.close();
    }

    @Test
    void unzipAndPythonRecreateExactlyTheSnapshotsNamesAndNothingOutsideTheFolder() throws Exception {
        Path zip = download();
        Path deep = Files.createDirectories(work.resolve("x").resolve("y").resolve("unzipped"));

        Run unzip = run(deep, "unzip", "-q", zip.toString());
        Run python = run(work, "python3", "-c", """
                import sys, zipfile
                for i in zipfile.ZipFile(sys.argv[1]).infolist():
                    print(i.filename, 'utf8' if i.flag_bits & 0x800 else 'cp437')""", zip.toString());

        String top = "pc-" + snapshot.substring(0, 8);
        Set<String> expected = new TreeSet<>(Set.of(top, top + "/..＼..＼evil.txt", top + "/Müsik", top + "/Müsik/a.txt",
                top + "/Müsik/leer", top + "/日本語", top + "/日本語/b.txt"));
        assertThat(unzip.status()).as(unzip.output()).isZero();
        assertThat(tree(deep)).isEqualTo(expected);
        assertThat(Files.readString(deep.resolve(top).resolve("..＼..＼evil.txt"))).isEqualTo("climb");
        try (Stream<Path> all = Files.walk(work)) {
            assertThat(all.filter(p -> p.getFileName().toString().equals("evil.txt"))).isEmpty();
        }
        assertThat(python.status()).as(python.output()).isZero();
        assertThat(python.output().lines().toList()).containsExactlyInAnyOrder(top + "/ utf8", top + "/..＼..＼evil.txt utf8",
                top + "/Müsik/ utf8", top + "/Müsik/a.txt utf8", top + "/Müsik/leer/ utf8", top + "/日本語/ utf8",
                top + "/日本語/b.txt utf8");
    }

    private Path download() throws Exception {
        HttpResponse<byte[]> r = browser.getBytes("/devices/pc/snapshots/" + snapshot + "/zip?path=%2F");
        assertThat(r.statusCode()).isEqualTo(200);
        return Files.write(work.resolve("download.zip"), r.body());
    }

    private static Set<String> tree(Path root) throws Exception {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(p -> !p.equals(root)).forEach(p -> names.add(root.relativize(p).toString()));
        }
        return names;
    }

    record Run(int status, String output) {
    }

    private static Run run(Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().put("LANG", "C.UTF-8");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }
}
