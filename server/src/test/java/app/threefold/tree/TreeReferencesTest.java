package app.threefold.tree;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.format.Id;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prune's mark reads only what a tree refers to: exactly the ids a full decode finds. */
class TreeReferencesTest {

    @Test
    void theReferencesOfATreeAreItsFilesContentAndItsFoldersSubtrees() {
        Instant t = Instant.parse("2026-12-07T06:00:00Z");
        Id a = id("a"), b = id("b"), c = id("c"), sub = id("sub");
        byte[] tree = TreeCodec.encode(List.of(
                new Node("empty.txt", Node.FILE, 0644, t, t, t, 0, 0, "u", "g", 1, 2, 0, 1, null, List.of(), null),
                new Node("photo.jpg", Node.FILE, 0644, t, t, t, 0, 0, "u", "g", 3, 2, 9, 1, null, List.of(a, b, a), null),
                new Node("photos", Node.DIR, 0755, t, t, t, 0, 0, "u", "g", 4, 2, 0, 2, null, null, sub),
                new Node("link", Node.SYMLINK, 0777, t, t, t, 0, 0, "u", "g", 5, 2, 0, 1, "photo.jpg", null, null),
                new Node("notes.txt", Node.FILE, 0644, t, t, t, 0, 0, "u", "g", 6, 2, 3, 1, null, List.of(c), null)));

        TreeCodec.References refs = TreeCodec.references(tree);

        assertThat(refs.content()).as("in tree order, which sorts by name").containsExactly(c, a, b, a);
        assertThat(refs.subtrees()).containsExactly(sub);
    }

    private static Id id(String s) {
        return Id.hash(s.getBytes(StandardCharsets.UTF_8));
    }
}
