package app.threefold.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.InvalidIdException;
import app.threefold.format.Id;
import org.junit.jupiter.api.Test;

class SnapshotIdTest {

    @Test
    void aSnapshotIdIs64HexDigitsInEitherCase() {
        String hex = "1a2b3c4d" + "e".repeat(56);

        SnapshotId id = SnapshotId.parse(hex.toUpperCase());

        assertThat(id.hex()).isEqualTo(hex);
        assertThat(id.shortHex()).isEqualTo("1a2b3c4d");
        assertThat(id).isEqualTo(SnapshotId.of(Id.parse(hex)));
    }

    @Test
    void anythingElseIsABadRequestThatSaysWhereIdsAreListed() {
        for (String bad : new String[] {"", "1a2b3c4d", "g".repeat(64), "e".repeat(63), "e".repeat(65), "latest", null}) {
            assertThatThrownBy(() -> SnapshotId.parse(bad)).as(String.valueOf(bad))
                    .isInstanceOf(InvalidIdException.class)
                    .hasMessageContaining("is not a snapshot id: an id is 64 hexadecimal digits");
        }
    }
}
