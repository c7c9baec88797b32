package app.threefold.web.devicesetup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Windows script parsed by a real PowerShell grammar: tree-sitter's (npm
 * {@code tree-sitter-powershell}, its WebAssembly build run by {@code web-tree-sitter} in Node),
 * installed into {@code target/} on first use. It catches what breaks a script's structure
 * (unbalanced braces, a statement cut short); it is more lenient than PowerShell itself, so the
 * golden file in {@link SetupScriptsTest} stays. Skipped, saying so, where Node or the npm
 * registry is out of reach.
 */
class PowerShellSyntaxTest {
    private static final Path PARSER = Path.of("target", "powershell-parser");

    @BeforeAll
    static void installParser() throws Exception {
        if (!Files.isDirectory(PARSER.resolve("node_modules/tree-sitter-powershell"))) {
            Files.createDirectories(PARSER);
            SetupScriptsTest.Run npm = run(PARSER, "npm", "install", "--no-audit", "--no-fund", "--ignore-scripts",
                    "--no-save", "tree-sitter-powershell@0.26.4", "web-tree-sitter@0.25.10");
            assumeTrue(npm.exit() == 0, "the PowerShell parser could not be installed with npm:\n" + npm.output());
        }
        try (InputStream in = PowerShellSyntaxTest.class.getResourceAsStream("parse-powershell.mjs")) {
            Files.copy(in, PARSER.resolve("parse-powershell.mjs"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void theWindowsScriptParses() throws Exception {
        SetupScripts scripts = new SetupScripts();
        for (boolean ac : List.of(true, false)) {
            String script = scripts.script(new SetupChoice(ClientOs.WINDOWS, LocalTime.of(6, 0), Duration.ofHours(24),
                            List.of("Documents", "Pictures", "."), ClientOs.WINDOWS.defaultExcludes(), ac),
                    new SetupScripts.Target("192.168.1.10", 2222, "anna-pc", List.of(SetupScriptsTest.HOST_KEY)),
                    SetupScriptsTest.KEY, SetupScriptsTest.MADE);
            SetupScriptsTest.Run parsed = parse(script);
            assertThat(parsed.exit()).as(parsed.output()).isZero();
        }
    }

    @Test
    void theParserFindsABrokenScript() throws Exception {
        String broken = new SetupScripts().script(SetupChoice.defaults(ClientOs.WINDOWS, Duration.ofDays(1)),
                        new SetupScripts.Target("nas", 2222, "pc", List.of(SetupScriptsTest.HOST_KEY)), SetupScriptsTest.KEY,
                        SetupScriptsTest.MADE)
                .replace("    if (-not $found) {\r\n", "    if (-not $found) \r\n");

        assertThat(parse(broken).exit()).isNotZero();
    }

    private static SetupScriptsTest.Run parse(String script) throws Exception {
        Path file = Files.createTempFile(PARSER, "setup", ".ps1");
        try {
            Files.writeString(file, script);
            return run(PARSER, "node", "parse-powershell.mjs", file.getFileName().toString());
        } finally {
            Files.delete(file);
        }
    }

    private static SetupScriptsTest.Run run(Path dir, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, command[0] + " is not installed, so the PowerShell parser cannot run: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new SetupScriptsTest.Run(p.exitValue(), out);
    }
}
