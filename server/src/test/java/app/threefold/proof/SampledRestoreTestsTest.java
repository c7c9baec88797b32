package app.threefold.proof;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.format.Id;
import app.threefold.jobs.Job;
import app.threefold.jobs.RestoreProofs;
import app.threefold.repository.TestTrees;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device too large to restore in full every month is tested within a byte budget: each test
 * reads every folder and a sample of files, and successive tests between them read every pack.
 */
@ExtendWith(TestDatabase.class)
class SampledRestoreTestsTest {

    static final long BUDGET = 5 << 20;

    @TempDir
    Path tmp;
    ProofFixture appliance;

    @BeforeEach
    void applianceWithALargeDevice(Catalog catalog) throws Exception {
        appliance = new ProofFixture(catalog, tmp);
        Path src = tmp.resolve("src");
        Random random = new Random(11);
        // 16 files of 3 MiB that do not compress: about four 16 MiB packs.
        for (int i = 0; i < 16; i++) {
            TestTrees.write(src.resolve("videos/clip-" + i + ".bin"), TestTrees.bytes(random, 3 << 20));
        }
        appliance.engine.backupFolder("laptop", src);
    }

    @AfterEach
    void stop() throws Exception {
        appliance.close();
    }

    @Test
    void successiveSampledTestsReadEveryPackWithinTheBudgetAndEachResultIsKept() throws Exception {
        appliance.log.setRhythm("laptop", new RestoreTestLog.Rhythm(30, BUDGET));
        Set<Id> packs = appliance.engine.repository().index().packs();
        assertThat(packs).as("the device spans several packs").hasSizeGreaterThanOrEqualTo(4);

        Set<Id> read = new HashSet<>();
        int tests = 0;
        while (!read.containsAll(packs) && tests < packs.size()) {
            Job test = appliance.awaitEnd(appliance.restoreTests.start("laptop", RestoreProofs.LOCAL, "admin"));
            tests++;
            assertThat(test.result()).as(String.valueOf(test.error())).containsEntry("verdict", "passed")
                    .containsEntry("sampled", true);
            assertThat(((Number) test.result().get("bytes")).longValue()).isBetween(1L, BUDGET);
            read.addAll(appliance.log.sample("laptop", RestoreProofs.LOCAL).packsRead());
        }
        assertThat(read).as("every pack read within as many tests as there are packs (%d)", packs.size())
                .containsAll(packs);

        // The round is complete: the next sample starts a new one instead of reading nothing new.
        Job next = appliance.awaitEnd(appliance.restoreTests.start("laptop", RestoreProofs.LOCAL, "admin"));
        assertThat(next.result()).containsEntry("verdict", "passed");
        assertThat(appliance.log.sample("laptop", RestoreProofs.LOCAL).packsRead()).isNotEmpty()
                .hasSizeLessThan(packs.size());

        List<RestoreTestLog.Result> kept = appliance.log.history("laptop", RestoreProofs.LOCAL, 100);
        assertThat(kept).hasSize(tests + 1).allSatisfy(r -> {
            assertThat(r.passed()).isTrue();
            assertThat(r.sampled()).isTrue();
            assertThat(r.copyName()).isEqualTo("this NAS");
            assertThat(r.files()).isPositive();
            assertThat(r.bytes()).isBetween(1L, BUDGET);
            assertThat(r.snapshot()).hasSize(64);
            assertThat(r.actor()).isEqualTo("admin");
        });
    }

    @Test
    void withoutABudgetATestReadsEverything() throws Exception {
        Job test = appliance.awaitEnd(appliance.restoreTests.start("laptop", RestoreProofs.LOCAL, "admin"));

        assertThat(test.result()).containsEntry("verdict", "passed").containsEntry("sampled", false);
        assertThat(((Number) test.result().get("files")).longValue()).isEqualTo(16);
        assertThat(appliance.log.history("laptop", RestoreProofs.LOCAL, 1)).singleElement()
                .satisfies(r -> assertThat(r.bytes()).isEqualTo(16L * (3 << 20)));
    }
}
