package app.threefold.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each catalog table has one owning class: the only one whose SQL writes it and the only one whose
 * SQL reads it. Everyone else asks the owner, so a prune or a recovery that must know every row of
 * a table finds them all in one file. The test reads the SQL text in the string literals of the
 * main sources of every module (keywords are written in capitals there, as everywhere in this
 * code base); the tables are those the migrations create, so a new table is covered at once.
 */
class TableOwnersTest {

    private static final Path ROOT = Path.of("..");
    private static final List<String> MODULES = List.of("server", "sshd", "web", "appliance");
    private static final Path MIGRATIONS = ROOT.resolve("server/src/main/resources/db/migration");

    @Test
    void everyTableIsWrittenAndReadInExactlyOneClassOfTheEngine() {
        Map<String, Statements> byTable = scanTexts(sources(), tables());

        SortedMap<String, String> problems = new TreeMap<>();
        byTable.forEach((table, s) -> {
            List<String> wrong = new ArrayList<>();
            if (s.writers().size() != 1) {
                wrong.add("written in " + s.writers());
            } else if (!s.writers().first().startsWith("server/")) {
                wrong.add("owned outside the engine by " + s.writers().first());
            }
            TreeSet<String> foreign = new TreeSet<>(s.readers());
            foreign.removeAll(s.writers());
            if (!foreign.isEmpty()) {
                wrong.add("read in " + foreign);
            }
            if (!wrong.isEmpty()) {
                problems.put(table, String.join("; ", wrong));
            }
        });
        assertThat(problems).as("tables without exactly one owning class").isEmpty();
    }

    /** The scan itself: a class set with a second writer and a foreign reader is caught. */
    @Test
    void aSecondWriterOrAForeignReaderIsFound() {
        Map<String, String> bad = Map.of(
                "a/Owner.java", """
                        class Owner {
                            // FROM devices in a comment is no SQL
                            String add = "INSERT INTO devices (name) VALUES (:n)";
                            String all = "SELECT name" + " FROM devices";
                        }""",
                "b/Intruder.java", """
                        class Intruder {
                            String sql = \"""
                                    UPDATE devices SET enabled = false\""";
                        }""",
                "c/Peeker.java", """
                        class Peeker {
                            String sql = "SELECT count(*) FROM snapshots s JOIN devices d ON d.name = s.device";
                            String message = "remove it from devices";
                            String write = "DELETE FROM snapshots";
                        }""");
        Map<String, Statements> found = scanTexts(bad, Set.of("devices", "snapshots"));

        assertThat(found.get("devices").writers()).containsExactly("a/Owner.java", "b/Intruder.java");
        assertThat(found.get("devices").readers()).containsExactly("a/Owner.java", "c/Peeker.java");
        assertThat(found.get("snapshots").writers()).containsExactly("c/Peeker.java");
        assertThat(found.get("snapshots").readers()).containsExactly("c/Peeker.java");
    }

    record Statements(TreeSet<String> writers, TreeSet<String> readers) {
    }

    private static Set<String> tables() {
        Pattern create = Pattern.compile("CREATE TABLE\\s+(\\w+)");
        Set<String> tables = new TreeSet<>();
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            for (Path f : files.toList()) {
                Matcher m = create.matcher(Files.readString(f));
                while (m.find()) {
                    tables.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(tables).as("tables of the migrations").contains("snapshots", "devices", "settings", "admin_sessions");
        return tables;
    }

    private static Map<String, String> sources() {
        Map<String, String> texts = new TreeMap<>();
        for (String module : MODULES) {
            Path main = ROOT.resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(main)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    texts.put(ROOT.relativize(f).toString(), Files.readString(f));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(texts).as("main sources found").hasSizeGreaterThan(100);
        return texts;
    }

    private static Map<String, Statements> scanTexts(Map<String, String> sources, Set<String> tables) {
        Map<String, Statements> byTable = new TreeMap<>();
        tables.forEach(t -> byTable.put(t, new Statements(new TreeSet<>(), new TreeSet<>())));
        String names = String.join("|", tables);
        Pattern write = Pattern.compile("\\b(?:INSERT INTO|UPDATE|DELETE FROM|TRUNCATE(?: TABLE)?|LOCK TABLE)\\s+(" + names + ")\\b");
        Pattern read = Pattern.compile("\\b(?:FROM|JOIN)\\s+(" + names + ")\\b");
        sources.forEach((file, text) -> {
            String sql = String.join(" ", literals(text));
            for (Matcher m = write.matcher(sql); m.find(); ) {
                byTable.get(m.group(1)).writers().add(file);
            }
            for (Matcher m = read.matcher(sql); m.find(); ) {
                byTable.get(m.group(1)).readers().add(file);
            }
        });
        return byTable;
    }

    /**
     * The contents of a Java file's string literals and text blocks, without comments, so that a
     * table named in documentation does not count; literals joined with {@code +} stay one text.
     */
    static List<String> literals(String java) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = java.length();
        while (i < n) {
            char c = java.charAt(i);
            if (c == '/' && i + 1 < n && java.charAt(i + 1) == '/') {
                i = java.indexOf('\n', i);
                i = i < 0 ? n : i;
            } else if (c == '/' && i + 1 < n && java.charAt(i + 1) == '*') {
                int end = java.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'') {
                i++;
                while (i < n && java.charAt(i) != '\'') {
                    i += java.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
            } else if (java.startsWith("\"\"\"", i)) {
                int start = i + 3;
                int j = start;
                while (j < n && !java.startsWith("\"\"\"", j)) {
                    j += java.charAt(j) == '\\' ? 2 : 1;
                }
                out.add(java.substring(start, Math.min(j, n)));
                i = j + 3;
            } else if (c == '"') {
                int start = i + 1;
                int j = start;
                while (j < n && java.charAt(j) != '"') {
                    j += java.charAt(j) == '\\' ? 2 : 1;
                }
                out.add(java.substring(start, Math.min(j, n)));
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }
}
