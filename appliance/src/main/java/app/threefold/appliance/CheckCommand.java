package app.threefold.appliance;

import app.threefold.check.Checker;
import app.threefold.repository.Repository;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code threefold check}: verifies a copy; exit 1 and the affected files when it is damaged. */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Check a repository's structure, and with --read-data every byte of it.")
final class CheckCommand implements Callable<Integer> {

    @Mixin
    RepositoryOptions repository;

    @Option(names = "--read-data", description = "Read and verify every blob (MAC and SHA-256).")
    boolean readData;

    private final Terminal terminal;

    CheckCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        Repository repo = repository.openIndexed(terminal.env());
        ExecutorService workers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        Checker.Report report;
        try {
            report = new Checker(repo, workers).check(readData);
        } finally {
            workers.shutdownNow();
            repo.backend().close();
        }
        terminal.out().printf("Checked %d snapshots and %d packs%s.%n", report.snapshots(), report.packs(),
                readData ? ", read " + report.blobsRead() + " blobs" : "");
        report.warnings().forEach(w -> terminal.out().println("warning: " + w));
        if (report.healthy()) {
            terminal.out().println("No errors were found.");
            return 0;
        }
        report.errors().forEach(e -> terminal.err().println("error: " + e));
        if (!report.affected().isEmpty()) {
            terminal.err().println("Affected by the damage:");
            report.affected().forEach(a -> terminal.err().printf("  snapshot %s (%s) %s: %s%n",
                    a.snapshot().shortHex(), a.hostname(), a.path(), a.reason()));
        }
        terminal.err().println("The repository is damaged. Restore the affected files from another copy (a mirror),"
                + " and back up the affected devices again.");
        return 1;
    }
}
