package app.threefold.web.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The panel reads snapshots through the engine's services ({@code browse.SnapshotFiles} and its
 * records), never through the repository format underneath: trees, blobs, packs, the index, keys,
 * the chunker, backends. Of {@code restore} it may use only what picks a restore target on the NAS
 * ({@code RestoreFolders} with its listing, and its two refusals); restoring and reading file
 * content happen in the engine.
 */
class PanelLayerTest {

    /** What {@code restore} offers the panel. */
    private static final Set<String> RESTORE_SURFACE = Set.of(
            "app.threefold.restore.RestoreFolders",
            "app.threefold.restore.RestoreFolders$Listing",
            "app.threefold.restore.RestoreTargetException",
            "app.threefold.restore.InvalidRestoreFolderException");

    private static final DescribedPredicate<JavaClass> ENGINE_INTERNALS = new DescribedPredicate<>(
            "engine internals (tree, repository, format, index, pack, crypto, chunker, backend; restore other than "
                    + String.join(", ", RESTORE_SURFACE) + ")") {
        @Override
        public boolean test(JavaClass c) {
            String pkg = c.getPackageName();
            for (String internal : new String[] {"tree", "repository", "format", "index", "pack", "crypto", "chunker",
                    "backend"}) {
                if (pkg.equals("app.threefold." + internal) || pkg.startsWith("app.threefold." + internal + ".")) {
                    return true;
                }
            }
            return pkg.equals("app.threefold.restore") && !RESTORE_SURFACE.contains(c.getName());
        }
    };

    static final ArchRule PANEL_READS_SNAPSHOTS_THROUGH_THE_ENGINE = noClasses().that().resideInAPackage("app.threefold.web..")
            .should().dependOnClassesThat(ENGINE_INTERNALS)
            .because("the panel asks browse.SnapshotFiles and streams what it returns (issue 13)");

    @Test
    void thePanelUsesNoTreeRepositoryOrFormatInternals() {
        JavaClasses panel = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("app.threefold.web");
        PANEL_READS_SNAPSHOTS_THROUGH_THE_ENGINE.check(panel);
    }

    @Test
    void theRuleCatchesAPanelClassThatDecodesTreesItself() {
        JavaClasses bad = new ClassFileImporter().importClasses(ReadsTreesItself.class);
        assertThatThrownBy(() -> PANEL_READS_SNAPSHOTS_THROUGH_THE_ENGINE.check(bad))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ReadsTreesItself")
                .hasMessageContaining("app.threefold.tree.Node");
    }

    @Test
    void theRuleCatchesAPanelClassThatRestoresWithoutTheEngine() {
        JavaClasses bad = new ClassFileImporter().importClasses(ReadsContentItself.class);
        assertThatThrownBy(() -> PANEL_READS_SNAPSHOTS_THROUGH_THE_ENGINE.check(bad))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("app.threefold.restore.ContentReader");
    }
}
