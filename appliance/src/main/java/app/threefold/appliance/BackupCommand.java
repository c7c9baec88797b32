package app.threefold.appliance;

import app.threefold.device.DeviceException;
import app.threefold.device.DeviceName;
import app.threefold.engine.Engine;
import app.threefold.ingest.IngestSession;
import app.threefold.ingest.IngestStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code threefold backup}: snapshots a folder on the NAS as a device's backup. */
@Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Snapshot a folder on the NAS for a device (run while serve is stopped).")
final class BackupCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The appliance's data directory.")
    Path dataDir;

    @Option(names = "--device", paramLabel = "NAME", required = true, description = "Device the snapshot belongs to.")
    String device;

    @Parameters(index = "0", paramLabel = "PATH", description = "Folder to back up.")
    Path path;

    private final Terminal terminal;

    BackupCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        DeviceName name;
        try {
            name = DeviceName.of(device);
        } catch (DeviceException e) {
            throw new CommandRefusedException("--device " + device + ": use 1-64 letters, digits, '.', '_' or '-'", e);
        }
        if (!Files.isDirectory(path)) {
            throw new CommandRefusedException(path + " is not a folder; give the folder to back up");
        }
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null), terminal.env());
        Logging.useDataDir(config.dataDir());
        IngestSession.Result result;
        try (InstanceLock lock = InstanceLock.acquire(config.dataDir());
             CatalogDatabase database = CatalogDatabase.open(config);
             Engine engine = Engine.open(config.dataDir(), database.catalog(), Clock.systemUTC())) {
            result = engine.backupFolder(name.value(), path);
        }
        IngestStats st = result.stats();
        terminal.out().printf("Snapshot %s of %s saved.%n", result.snapshot().id().shortHex(), device);
        terminal.out().printf("Files: %d new, %d changed, %d unchanged, %d removed%s; %d folders%n", st.filesNew(),
                st.filesChanged(), st.filesUnchanged(), st.filesRemoved(), st.filesFailed() > 0 ? ", " + st.filesFailed() + " failed" : "",
                st.dirs());
        terminal.out().printf("Read %s of %s; added %s to the repository after dedup and compression; took %s%n",
                Sizes.human(st.bytesRead()), Sizes.human(st.bytesTotal()), Sizes.human(st.bytesAdded()), Sizes.seconds(st.duration()));
        result.problems().forEach(p -> terminal.err().println("left out: " + p));
        return result.problems().isEmpty() ? 0 : 1;
    }
}
