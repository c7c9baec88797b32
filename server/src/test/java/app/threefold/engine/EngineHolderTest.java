package app.threefold.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The engine as it appears when the setup wizard creates the repository, and goes when the appliance stops. */
@ExtendWith(TestDatabase.class)
class EngineHolderTest {

    @TempDir
    Path tmp;

    @Test
    void whatWaitsForTheEngineRunsWhenTheWizardInstallsItAndTheWizardCannotInstallASecond(Catalog catalog) throws Exception {
        try (EngineHolder holder = new EngineHolder(null)) {
            List<Engine> seen = new ArrayList<>();
            holder.whenInstalled(seen::add);
            assertThat(holder.get()).isEmpty();
            assertThat(seen).isEmpty();

            Engine created = Engine.create(tmp.resolve("data"), EngineTest.RECOVERY.toCharArray(), catalog, Clock.systemUTC());
            holder.install(created);
            holder.whenInstalled(seen::add);

            assertThat(seen).containsExactly(created, created);
            assertThat(holder.get()).containsSame(created);
            assertThatThrownBy(() -> holder.install(created)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already has an engine");
        }
    }

    @Test
    void closingTheHolderClosesTheEngineAndLeavesNone(Catalog catalog) throws Exception {
        Engine engine = Engine.create(tmp.resolve("data"), EngineTest.RECOVERY.toCharArray(), catalog, Clock.systemUTC());
        EngineHolder holder = new EngineHolder(engine);

        holder.close();

        assertThat(holder.get()).isEmpty();
        assertThat(engine.workers().isShutdown()).isTrue();
    }
}
