package app.threefold.appliance;

import app.threefold.engine.Engine;
import app.threefold.prune.Prune;
import app.threefold.prune.PruneResult;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code threefold prune}: gives back the space of data no snapshot needs any more (after a
 * forget), in restic's way, so restic still reads the repository. One line per step on stdout.
 */
@Command(name = "prune", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Remove data no snapshot needs any more (run while serve is stopped).")
final class PruneCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The appliance's data directory.")
    Path dataDir;

    @Option(names = "--dry-run", description = "Only report what would be removed and repacked; change nothing.")
    boolean dryRun;

    @Option(names = "--repack-percent", paramLabel = "N", defaultValue = "25",
            description = "Repack a pack when more than N %% of it is unused (default: ${DEFAULT-VALUE}).")
    double repackPercent;

    private final Terminal terminal;

    PruneCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        if (!(repackPercent >= 0 && repackPercent <= 100)) {
            throw new CommandRefusedException("--repack-percent " + repackPercent + ": give a number from 0 to 100");
        }
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null), terminal.env());
        Logging.useDataDir(config.dataDir());
        PruneResult r;
        try (InstanceLock lock = InstanceLock.acquire(config.dataDir());
             CatalogDatabase database = CatalogDatabase.open(config);
             Engine engine = Engine.open(config.dataDir(), database.catalog(), Clock.systemUTC())) {
            Prune prune = new Prune(engine.repository(), engine.catalogIndex(), engine.workers(), Clock.systemUTC());
            r = prune.run(new Prune.Options(dryRun, repackPercent / 100, Duration.ZERO),
                    (fraction, line) -> terminal.out().printf("[%3d%%] %s%n", Math.round(fraction * 100), line));
        }
        if (r.dryRun()) {
            terminal.out().printf("Dry run: nothing was changed. A prune would remove %d unused pack(s), repack %d and remove %d"
                    + " pack(s) no index names, reclaiming about %s of %s.%n", r.packsRemoved(), r.packsRepacked(),
                    r.unindexedPacksRemoved(), Sizes.human(r.bytesReclaimed()), Sizes.human(r.bytesBefore()));
            return 0;
        }
        if (r.nothingToDo()) {
            terminal.out().printf("Nothing to prune: the %d snapshot(s) use all %s of data.%n", r.snapshots(), Sizes.human(r.bytesBefore()));
            return 0;
        }
        terminal.out().printf("Pruned: removed %d unused pack(s), repacked %d into %d, removed %d pack(s) no index named.%n",
                r.packsRemoved(), r.packsRepacked(), r.packsWritten(), r.unindexedPacksRemoved());
        terminal.out().printf("Reclaimed %s: %s of data left for %d snapshot(s) (%d blobs kept); took %s%n",
                Sizes.human(r.bytesReclaimed()), Sizes.human(r.bytesAfter()), r.snapshots(), r.blobsKept(), Sizes.seconds(r.duration()));
        return 0;
    }
}
