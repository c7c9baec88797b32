package app.threefold.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine's layers, lowest first: each may use those below it, never those above. */
class LayersTest {
    private static final JavaClasses SERVER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("app.threefold");

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
