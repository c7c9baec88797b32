package app.threefold.retention;

import static org.assertj.core.api.Assertions.assertThat;

import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.ArchivedDevices;
import app.threefold.engine.Engine;
import app.threefold.format.Id;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Threefold's keep and forget sets are restic's: 400 snapshots over two years, times forged in mixed
 * offsets, judged by both under several policies, the default among them.
 */
@ExtendWith(TestDatabase.class)
class RetentionMatchesResticTest {
    static final String PASSWORD = "recovery password 123";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void fourHundredSnapshotsOverTwoYearsAreKeptAndForgottenExactlyAsResticForgetWould(Catalog catalog) throws Exception {
        Path data = tmp.resolve("data");
        try (Engine engine = Engine.create(data, PASSWORD.toCharArray(), catalog, Clock.systemUTC())) {
            Id tree = engine.backupFolder("seed", TestTrees.awkward(tmp.resolve("src"), 3)).snapshot().tree();
            Instant end = Instant.now().minusSeconds(600);
            ForgedHistory.write(engine, "laptop", tree, 400, end, 42);
            Retention retention = new Retention(catalog.jdbi(), () -> Optional.of(engine), new ArchivedDevices(catalog.jdbi()),
                    () -> List.of("laptop"), new AuditLog(catalog.jdbi(), Clock.systemUTC()), Clock.systemUTC());
            ResticCli restic = new ResticCli(Engine.repositoryDir(data), PASSWORD);

            List<KeepPolicy> policies = List.of(
                    KeepPolicy.DEFAULT,
                    KeepPolicy.ARCHIVED_DEFAULT,
                    new KeepPolicy(5, 10, 7, 0, 0, 0, Span.ZERO),
                    new KeepPolicy(0, 0, 0, 20, 6, 0, Span.ZERO),
                    new KeepPolicy(0, 0, 0, 0, 0, 3, Span.parse("1y2m3d4h")),
                    new KeepPolicy(0, 36, 60, 0, 0, 0, Span.parse("1m")),
                    new KeepPolicy(3, 0, 0, 0, 0, 0, Span.ZERO));
            for (KeepPolicy policy : policies) {
                Plan plan = retention.preview("laptop", policy);
                Set<String> ours = new TreeSet<>();
                plan.keep().forEach(k -> ours.add(k.snapshot().id()));
                Set<String> oursForgotten = new TreeSet<>();
                plan.forget().forEach(c -> oursForgotten.add(c.id()));

                List<String> args = new ArrayList<>(List.of("forget", "--dry-run", "--json", "--host", "laptop", "--group-by", "host"));
                args.addAll(policy.resticOptions());
                String out = restic.run(Map.of("TZ", "UTC"), args.toArray(String[]::new)).output();
                JsonNode groups = JSON.readTree(out.substring(out.indexOf('[')));
                Set<String> theirs = new TreeSet<>();
                Set<String> theirsForgotten = new TreeSet<>();
                for (JsonNode g : groups) {
                    g.path("keep").forEach(s -> theirs.add(s.path("id").asText()));
                    g.path("remove").forEach(s -> theirsForgotten.add(s.path("id").asText()));
                }
                assertThat(ours).as("kept under %s", policy.describe()).isEqualTo(theirs);
                assertThat(oursForgotten).as("forgotten under %s", policy.describe()).isEqualTo(theirsForgotten);
                assertThat(ours.size() + oursForgotten.size()).isEqualTo(400);
                assertThat(oursForgotten).as("%s forgets some", policy.describe()).isNotEmpty();
            }
        }
    }
}
