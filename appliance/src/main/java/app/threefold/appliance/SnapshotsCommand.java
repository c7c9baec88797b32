package app.threefold.appliance;

import app.threefold.repository.Repository;
import app.threefold.snapshot.Snapshot;
import app.threefold.snapshot.Snapshots;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code threefold snapshots}: lists the snapshots of any copy, oldest first. */
@Command(name = "snapshots", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "List the snapshots in a repository (any copy; no catalog needed).")
final class SnapshotsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Mixin
    RepositoryOptions repository;

    @Option(names = "--device", paramLabel = "NAME", description = "Only this device's snapshots.")
    String device;

    private final Terminal terminal;

    SnapshotsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        Repository repo = repository.open(terminal.env());
        List<Snapshot> snapshots;
        try {
            snapshots = new Snapshots(repo).list(device);
        } finally {
            repo.backend().close();
        }
        terminal.out().printf("%-8s  %-19s  %-20s  %s%n", "ID", "Time (UTC)", "Device", "Paths");
        for (Snapshot s : snapshots) {
            terminal.out().printf("%-8s  %-19s  %-20s  %s%n", s.id().shortHex(), TIME.format(s.time()), s.hostname(),
                    String.join(", ", s.paths()));
        }
        terminal.out().println(snapshots.size() + (snapshots.size() == 1 ? " snapshot" : " snapshots"));
        return 0;
    }
}
