package app.threefold.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.threefold.account.PasswordHasher;
import app.threefold.audit.AuditLog;
import app.threefold.catalog.Catalog;
import app.threefold.catalog.TestDatabase;
import app.threefold.device.ArchivedDevices;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.format.Id;
import app.threefold.repository.ResticCli;
import app.threefold.repository.TestTrees;
import app.threefold.snapshot.SnapshotId;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Forget as a person sees it: what the preview lists is what goes; pins and the newest stay; restic agrees. */
@ExtendWith(TestDatabase.class)
class ForgetTest {
    static final String PASSWORD = "recovery password 123";

    @TempDir
    Path tmp;
    Catalog catalog;
    Engine engine;
    Retention retention;
    Id tree;
    Instant end = Instant.now().minusSeconds(600);

    @BeforeEach
    void setUp(Catalog catalog) throws Exception {
        this.catalog = catalog;
        engine = Engine.create(tmp.resolve("data"), PASSWORD.toCharArray(), catalog, Clock.systemUTC());
        tree = engine.backupFolder("seed", TestTrees.awkward(tmp.resolve("src"), 3)).snapshot().tree();
        retention = new Retention(catalog.jdbi(), () -> Optional.of(engine), new ArchivedDevices(catalog.jdbi()),
                () -> List.of("laptop", "seed"), new AuditLog(catalog.jdbi(), Clock.systemUTC()), Clock.systemUTC());
    }

    @org.junit.jupiter.api.AfterEach
    void tearDown() {
        engine.close();
    }

    @Test
    void forgetRemovesExactlyWhatThePreviewListedAndResticNoLongerSeesThem() throws Exception {
        ForgedHistory.write(engine, "laptop", tree, 120, end, 7);
        KeepPolicy policy = new KeepPolicy(0, 0, 7, 4, 3, 0, Span.ofHours(48));
        Plan preview = retention.preview("laptop", policy);
        assertThat(preview.forget()).isNotEmpty();

        Retention.Result result = retention.forget("laptop", policy, false, "alice");

        assertThat(result.removed()).containsExactlyElementsOf(preview.forget().stream().map(Candidate::id).toList());
        assertThat(result.plan()).isEqualTo(preview);
        Set<String> left = resticIds("laptop");
        assertThat(left).isEqualTo(preview.keep().stream().map(k -> k.snapshot().id()).collect(Collectors.toCollection(TreeSet::new)));
        assertThat(engine.catalogSnapshots().list("laptop")).hasSize(preview.keep().size());
        // Forgetting again by the same policy finds nothing more to do.
        assertThat(retention.forget("laptop", policy, false, "alice").removed()).isEmpty();
        new ResticCli(Engine.repositoryDir(tmp.resolve("data")), PASSWORD).ok("check");
    }

    @Test
    void aDryRunChangesNothing() throws Exception {
        ForgedHistory.write(engine, "laptop", tree, 30, end, 8);
        Retention.Result dry = retention.forget("laptop", new KeepPolicy(2, 0, 0, 0, 0, 0, Span.ZERO), true, "alice");
        assertThat(dry.plan().forget()).hasSize(28);
        assertThat(dry.removed()).isEmpty();
        assertThat(resticIds("laptop")).hasSize(30);
    }

    @Test
    void aPinnedSnapshotAndTheNewestSurviveAPolicyThatKeepsNothingElse() throws Exception {
        List<Id> ids = ForgedHistory.write(engine, "laptop", tree, 40, end, 9);
        Plan before = retention.preview("laptop", new KeepPolicy(1, 0, 0, 0, 0, 0, Span.ZERO));
        String doomed = before.forget().get(before.forget().size() - 1).id();
        retention.pin("laptop", SnapshotId.parse(doomed), true, "alice");
        retention.label("laptop", SnapshotId.parse(doomed), "before the move", "alice");

        Retention.Result r = retention.forget("laptop", new KeepPolicy(1, 0, 0, 0, 0, 0, Span.ZERO), false, "alice");

        assertThat(r.removed()).hasSize(38).doesNotContain(doomed);
        String newest = before.keep().get(0).snapshot().id();
        assertThat(resticIds("laptop")).containsExactlyInAnyOrder(doomed, newest);
        Plan after = retention.preview("laptop", new KeepPolicy(1, 0, 0, 0, 0, 0, Span.ZERO));
        assertThat(after.keep()).extracting(k -> k.snapshot().id() + " " + k.reasons())
                .containsExactly(newest + " [latest, last #1]", doomed + " [pinned]");
        assertThat(retention.labels("laptop")).containsEntry(doomed, "before the move");
        assertThat(ids).hasSize(40);
    }

    @Test
    void aDeletedDeviceKeepsNinetyDaysByDefaultAndTheRestGoesWithEveryPolicy() throws Exception {
        Devices devices = new Devices(catalog.jdbi(), new PasswordHasher(64, 1, 1, new SecureRandom()), Clock.systemUTC());
        devices.create("old-pc", "long enough".toCharArray(), null);
        ForgedHistory.write(engine, "old-pc", tree, 100, end, 10);
        devices.delete("old-pc", "alice");

        assertThat(retention.policy("old-pc")).isEqualTo(KeepPolicy.ARCHIVED_DEFAULT);
        List<Retention.Result> all = retention.forgetByEveryPolicy("weekly");

        Retention.Result oldPc = all.stream().filter(r -> r.plan().hostname().equals("old-pc")).findFirst().orElseThrow();
        assertThat(oldPc.removed()).isNotEmpty();
        Instant newest = oldPc.plan().keep().get(0).snapshot().time().toInstant();
        assertThat(oldPc.plan().keep()).allSatisfy(k -> assertThat(k.snapshot().time().toInstant())
                .isAfter(newest.minus(Duration.ofDays(90))));
        assertThat(oldPc.plan().forget()).allSatisfy(c -> assertThat(c.time().toInstant())
                .isBeforeOrEqualTo(newest.minus(Duration.ofDays(90))));
        assertThat(resticIds("old-pc")).hasSize(oldPc.plan().keep().size());
        // The seed source's one snapshot is its newest: kept.
        assertThat(resticIds("seed")).hasSize(1);
    }

    @Test
    void anUnknownNameIsNotFound() {
        assertThatThrownBy(() -> retention.preview("nobody", null)).isInstanceOf(UnknownSubjectException.class)
                .hasMessageContaining("no device or local source named 'nobody'");
    }

    @Test
    void forgetNowRefusesWhenThePlanUnderTheLockIsNotThePreviewTheAdminSaw() throws Exception {
        ForgedHistory.write(engine, "laptop", tree, 10, end, 11);
        KeepPolicy policy = new KeepPolicy(2, 0, 0, 0, 0, 0, Span.ZERO);
        Plan shown = retention.preview("laptop", policy);
        List<String> previewed = shown.forget().stream().map(Candidate::id).toList();
        // Pinned after the preview was shown (in another tab, by another admin).
        retention.pin("laptop", SnapshotId.parse(previewed.get(0)), true, "bob");

        assertThatThrownBy(() -> retention.forget("laptop", policy, previewed, "alice"))
                .isInstanceOf(PreviewOutdatedException.class)
                .satisfies(e -> assertThat(((PreviewOutdatedException) e).kind())
                        .isEqualTo(app.threefold.ThreefoldException.Kind.CONFLICT));

        assertThat(resticIds("laptop")).as("nothing forgotten").hasSize(10);
        List<String> fresh = retention.preview("laptop", policy).forget().stream().map(Candidate::id).toList();
        assertThat(retention.forget("laptop", policy, fresh, "alice").removed()).hasSize(7)
                .doesNotContain(previewed.get(0));
    }

    @Test
    void aSnapshotFileRemovedBehindTheCatalogsBackIsHealedByTheNextForget() throws Exception {
        List<Id> ids = ForgedHistory.write(engine, "laptop", tree, 5, end, 12);
        SnapshotId lost = SnapshotId.parse(ids.get(0).hex());
        retention.label("laptop", lost, "before the move", "alice");
        engine.repository().backend().remove(new app.threefold.backend.Handle(app.threefold.backend.FileType.SNAPSHOT,
                lost.hex()));
        assertThat(engine.catalogSnapshots().find("laptop", lost)).isPresent();

        retention.forget("laptop", new KeepPolicy(0, 0, 0, 0, 0, 0, Span.ZERO), false, "alice");

        assertThat(engine.catalogSnapshots().find("laptop", lost)).as("the stale row is gone").isEmpty();
        assertThat(engine.catalogSnapshots().list("laptop")).hasSize(4);
        assertThat(retention.labels("laptop")).doesNotContainKey(lost.hex());
    }

    private Set<String> resticIds(String host) throws Exception {
        String out = new ResticCli(Engine.repositoryDir(tmp.resolve("data")), PASSWORD).ok("snapshots", "--json", "--host", host);
        Set<String> ids = new TreeSet<>();
        new ObjectMapper().readTree(out.substring(out.indexOf('['))).forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }
}
