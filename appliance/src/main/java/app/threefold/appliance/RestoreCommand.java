package app.threefold.appliance;

import app.threefold.repository.Repository;
import app.threefold.restore.Restorer;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code threefold restore}: restores a snapshot (or a path in it) from any copy into a folder. */
@Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Restore a snapshot from any copy into an empty folder (no catalog needed).")
final class RestoreCommand implements Callable<Integer> {

    @Mixin
    RepositoryOptions repository;

    @Option(names = "--device", paramLabel = "NAME", description = "Pick the snapshot among this device's.")
    String device;

    @Option(names = "--snapshot", paramLabel = "ID|latest", defaultValue = "latest",
            description = "Snapshot id (or a unique prefix), or latest (default).")
    String snapshot;

    @Option(names = "--path", paramLabel = "PATH", defaultValue = "",
            description = "Restore only this file or folder of the snapshot.")
    String path;

    @Parameters(index = "0", paramLabel = "TARGET", description = "An empty or new folder to restore into.")
    Path target;

    private final Terminal terminal;

    RestoreCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        Repository repo = repository.open(terminal.env());
        ExecutorService workers = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try {
            Snapshot s = new Snapshots(repo).find(snapshot, device);
            long started = System.nanoTime();
            Restorer.Summary summary = new Restorer(repo, workers).restore(s.tree(), path, target);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            terminal.out().printf("Restored snapshot %s of %s: %d files, %s into %s in %s%n", s.id().shortHex(), s.hostname(),
                    summary.files(), Sizes.human(summary.bytes()), target, Sizes.seconds(took));
        } finally {
            workers.shutdownNow();
            repo.backend().close();
        }
        return 0;
    }
}
