package app.threefold.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The engine's layers, lowest first: each may use only the layers it names, all of them below
 * it, never those above. Every package of {@code server} is in a layer, so a new package fails
 * this test until it is placed here.
 */
class LayersTest {
    private static final String SERVER_ROOT = "app.threefold";
    private static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(SERVER_ROOT);

    /** A layer: the packages in it (relative to the root, "" for the root package) and the layers it may use. */
    record Layer(String name, List<String> packages, List<String> mayUse) {
    }

    static final List<Layer> LAYERS = List.of(
            // ThreefoldException, the root of every failure the engine reports.
            new Layer("root", List.of(""), List.of()),
            // The catalog database, the activity log, the health of the appliance's parts, its settings.
            new Layer("records", List.of("catalog", "audit", "health", "settings"), List.of("root")),
            // Opaque files, the bytes of restic's format, encryption, chunk boundaries.
            new Layer("bytes", List.of("backend", "format", "crypto", "chunker"), List.of("root")),
            new Layer("packs", List.of("pack", "index"), List.of("root", "bytes")),
            new Layer("repository", List.of("repository"), List.of("root", "bytes", "packs")),
            new Layer("snapshots", List.of("tree", "snapshot"), List.of("root", "bytes", "packs", "repository")),
            // Who may log in: people, their accounts and tokens, devices (and their snapshots' catalog
            // rows), the throttle against guessing. Nothing in the storage stack below knows of them.
            new Layer("people", List.of("account", "access", "device", "login"), List.of("root", "records", "snapshots")),
            // What is done with a repository: back up, restore, check, prove a restore.
            new Layer("operations", List.of("ingest", "restore", "check", "verify", "browse"),
                    List.of("root", "records", "bytes", "packs", "repository", "snapshots")),
            new Layer("engine", List.of("engine"),
                    List.of("root", "records", "bytes", "packs", "repository", "snapshots", "operations")),
            // Long work on the engine: SFTP sessions' overlays, jobs with progress.
            new Layer("work", List.of("overlay", "jobs"),
                    List.of("root", "records", "people", "bytes", "packs", "repository", "snapshots", "operations", "engine")),
            // The only layer that knows about schedules.
            new Layer("scheduling", List.of("sources"),
                    List.of("root", "records", "people", "bytes", "packs", "repository", "snapshots", "operations", "engine",
                            "work")),
            // Copies on other storage: targets and their syncs, started by the one scheduler.
            new Layer("copies", List.of("mirror"),
                    List.of("root", "records", "people", "bytes", "packs", "repository", "snapshots", "operations", "engine",
                            "work", "scheduling")),
            // retention: policies, pins, forget, space
            new Layer("keeping", List.of("retention"),
                    List.of("root", "records", "people", "bytes", "packs", "repository", "snapshots", "operations", "engine",
                            "work")),
            // Proving the copies: scheduled restore tests, their results, scrubs and repairs of every copy.
            new Layer("proofs", List.of("proof"),
                    List.of("root", "records", "people", "bytes", "packs", "repository", "snapshots", "operations", "engine",
                            "work", "scheduling", "copies")),
            // Pairing with a friend's appliance: invites, guests and their folders (host side), pairings (guest side).
            new Layer("peers", List.of("peer"),
                    List.of("root", "records", "people", "bytes", "packs", "repository", "snapshots", "operations", "engine",
                            "work", "scheduling", "copies")),
            // Maintenance of the repository as a whole: it waits for the work layer's writers.
            new Layer("maintenance", List.of("prune"),
                    List.of("root", "records", "people", "bytes", "packs", "repository", "snapshots", "operations", "engine",
                            "work", "scheduling")),
            // Watching over it all: alerts on the conditions of every part, and rebuilding an appliance from a copy.
            new Layer("oversight", List.of("alert", "recovery"),
                    List.of("root", "records", "people", "bytes", "packs", "repository", "snapshots", "operations", "engine",
                            "work", "scheduling", "copies", "keeping", "proofs", "peers", "maintenance")));

    /** The layer rules for the classes under {@code root}: nothing points up, every class is in a layer. */
    static LayeredArchitecture layers(String root) {
        LayeredArchitecture rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitecture();
        for (Layer layer : LAYERS) {
            rule = rule.layer(layer.name()).definedBy(layer.packages().stream()
                    .map(p -> p.isEmpty() ? root : root + "." + p + "..").toArray(String[]::new));
        }
        for (Layer layer : LAYERS) {
            rule = layer.mayUse().isEmpty() ? rule.whereLayer(layer.name()).mayNotAccessAnyLayer()
                    : rule.whereLayer(layer.name()).mayOnlyAccessLayers(layer.mayUse().toArray(String[]::new));
        }
        return rule;
    }

    @Test
    void everyPackageIsInALayerAndUsesOnlyTheLayersBelowIt() {
        layers(SERVER_ROOT).because("each package of server belongs in one layer of LayersTest.LAYERS, below what uses it;"
                + " place a new package there").check(SERVER);
    }

    @Test
    void eachLayerUsesOnlyLayersDeclaredBeforeItSoTheStackHasNoCycle() {
        Set<String> below = new HashSet<>();
        List<String> pointingUp = new ArrayList<>();
        for (Layer layer : LAYERS) {
            layer.mayUse().stream().filter(u -> !below.contains(u)).forEach(u -> pointingUp.add(layer.name() + " → " + u));
            below.add(layer.name());
        }
        assertThat(pointingUp).isEmpty();
    }

    @Test
    void theRulesFailOnAFormatClassThatUsesTheEngineAndOnAPackageInNoLayer() {
        JavaClasses bad = new ClassFileImporter().importPackages("app.threefold.architecture.bad");
        EvaluationResult result = layers("app.threefold.architecture.bad").withOptionalLayers(true).evaluate(bad);

        assertThat(result.hasViolation()).isTrue();
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertThat(report).contains("Field <app.threefold.architecture.bad.format.BadCodec.engine> has type"
                + " <app.threefold.architecture.bad.engine.BadEngine>");
        assertThat(report).contains("Class <app.threefold.architecture.bad.gadgets.Gadget> is not contained in architecture");
    }

    @Test
    void theBackendKnowsNothingOfWhatItStores() {
        noClasses().that().resideInAPackage("..backend..")
                .should().dependOnClassesThat().resideInAnyPackage("..crypto..", "..pack..", "..index..", "..repository..",
                        "..tree..", "..snapshot..", "..ingest..", "..restore..", "..check..", "..verify..", "..engine..", "..catalog..")
                .check(SERVER);
    }

    @Test
    void packsAndTheIndexKnowNothingOfTreesSnapshotsOrIngest() {
        noClasses().that().resideInAnyPackage("..pack..", "..index..", "..format..", "..crypto..", "..chunker..")
                .should().dependOnClassesThat().resideInAnyPackage("..repository..", "..tree..", "..snapshot..", "..ingest..",
                        "..restore..", "..check..", "..verify..", "..engine..")
                .check(SERVER);
    }

    @Test
    void theRepositoryKnowsNothingOfTreesSnapshotsOrSources() {
        noClasses().that().resideInAPackage("..repository..")
                .should().dependOnClassesThat().resideInAnyPackage("..tree..", "..snapshot..", "..ingest..", "..restore..",
                        "..check..", "..verify..", "..engine..")
                .check(SERVER);
    }

    @Test
    void theServerKnowsNoHttpNoSshAndNoHtml() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "org.apache.sshd..", "gg.jte..")
                .check(SERVER);
    }
}
