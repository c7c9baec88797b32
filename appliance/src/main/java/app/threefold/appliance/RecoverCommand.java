package app.threefold.appliance;

import app.threefold.ThreefoldException;
import app.threefold.account.AccountException;
import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.audit.AuditLog;
import app.threefold.backend.Location;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.jobs.Jobs;
import app.threefold.mirror.SyncProgress;
import app.threefold.mirror.Targets;
import app.threefold.recovery.Recovery;
import app.threefold.sshd.client.MinaSftpBackends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code threefold recover}: a new appliance from one of the old one's copies and the recovery
 * kit's password ("the NAS died"). The data directory must be new or empty; the copy's repository
 * is fetched into it, the catalog is rebuilt from the repository, and the copy becomes a target.
 */
@Command(name = "recover", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Rebuild an appliance from a copy (a bucket or a folder) and the recovery kit's password.")
final class RecoverCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "New, empty data directory.")
    Path dataDir;

    @Option(names = "--from", paramLabel = "LOCATION", required = true,
            description = "The copy: a folder (a USB disk's copy), s3:ENDPOINT/BUCKET/PREFIX (credentials from"
                    + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, region from AWS_DEFAULT_REGION) or"
                    + " sftp://USER@HOST:PORT/PATH (a friend's NAS: with --key and --host-key).")
    String from;

    @Mixin
    SftpLoginOptions login;

    @Option(names = "--password-file", paramLabel = "FILE", required = true,
            description = "File holding the repository password from the recovery kit (first line).")
    Path passwordFile;

    @Option(names = "--admin-user", paramLabel = "NAME",
            description = "First admin of the new appliance (else the setup wizard asks for one).")
    String adminUser;

    @Option(names = "--admin-password-file", paramLabel = "FILE", description = "File holding that admin's password.")
    Path adminPasswordFile;

    private final Terminal terminal;

    RecoverCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        MinaSftpBackends sftp = new MinaSftpBackends();
        Location location = login.parse("--from", from, terminal.env(), sftp);
        char[] password = Secrets.read(passwordFile, "--password-file");
        char[] adminPassword = null;
        if ((adminUser == null) != (adminPasswordFile == null)) {
            throw new CommandRefusedException("give --admin-user and --admin-password-file together, or neither");
        }
        if (adminUser != null) {
            adminPassword = Secrets.read(adminPasswordFile, "--admin-password-file");
            try {
                Accounts.checkNewAdmin(adminUser, adminPassword);
            } catch (AccountException e) {
                throw new CommandRefusedException(e.getMessage(), e);
            }
        }
        refuseUnlessEmptyOrCutOff(dataDir);
        // Before the data directory gets anything: a retry with the right password or place finds it as it was.
        Recovery.check(location, password);
        Recovery.begin(dataDir, location);
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null), terminal.env());
        Logging.useDataDir(config.dataDir());
        Clock clock = Clock.systemUTC();
        Recovery.Summary summary;
        try (InstanceLock lock = InstanceLock.acquire(config.dataDir());
             CatalogDatabase database = CatalogDatabase.open(config);
             Jobs jobs = new Jobs(database.catalog().jdbi(), clock)) {
            AuditLog audit = new AuditLog(database.catalog().jdbi(), clock);
            Devices devices = new Devices(database.catalog().jdbi(), PasswordHasher.standard(), clock);
            Targets targets = new Targets(database.catalog().jdbi(), jobs, Optional::empty, audit, config.dataDir(), clock,
                    ZoneId.systemDefault(), Targets.Settings.DEFAULT, sftp);
            Recovery.Outcome outcome = new Recovery(config.dataDir(), database.catalog(), devices, targets, clock)
                    .recover(location, password, "recover", new Printer());
            outcome.engine().close();
            summary = outcome.summary();
            if (adminUser != null) {
                new Accounts(database.catalog().jdbi(), PasswordHasher.standard(), clock).createAdmin(adminUser, adminPassword);
            }
        }
        terminal.out().printf(Locale.ROOT, "Recovered repository %s from %s: %d objects, %.1f MB fetched, %d snapshots, in %d s.%n",
                summary.repositoryId().substring(0, 8), location.display(), summary.objects(), summary.bytes() / 1e6,
                summary.snapshots(), summary.took().toSeconds());
        if (!summary.devices().isEmpty()) {
            terminal.out().println("Devices back (each needs its password or key set again in the panel before it can"
                    + " log in): " + String.join(", ", summary.devices()));
        }
        if (!summary.folders().isEmpty()) {
            terminal.out().println("Folders of the NAS with snapshots (add them again as local sources to go on backing"
                    + " them up): " + String.join(", ", summary.folders()));
        }
        terminal.out().println("The copy is target '" + summary.copy().name() + "' and keeps being synced nightly."
                + (adminUser == null ? " Start the appliance with: threefold serve --data-dir " + config.dataDir()
                + " and create its admin in the setup wizard." : " Start it with: threefold serve --data-dir " + config.dataDir()));
        return 0;
    }

    /**
     * Recovering over a running or set-up appliance would mix two appliances; only a new or empty
     * folder will do, or one where a recovery was cut off (its marker, no appliance key), which
     * this run continues.
     */
    private static void refuseUnlessEmptyOrCutOff(Path dir) throws IOException {
        if (!Files.exists(dir) || (Files.exists(Recovery.marker(dir)) && !Files.exists(Engine.applianceKey(dir)))) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new CommandRefusedException(ThreefoldException.Kind.CONFLICT, dir + " is not a folder; give a new or empty data directory");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.anyMatch(p -> !p.getFileName().toString().equals("lost+found"))) {
                throw new CommandRefusedException(ThreefoldException.Kind.CONFLICT, dir + " is not empty; recover into a new or"
                        + " empty data directory (the old appliance's data directory, if it still exists, is better kept aside)");
            }
        }
    }

    /** Progress on the terminal: one line per phase, the copy's progress every few seconds. */
    private final class Printer implements Recovery.Listener {
        private long lastPrint;

        @Override
        public void phase(String text) {
            terminal.out().println(text + " …");
        }

        @Override
        public synchronized void copying(SyncProgress p) {
            long now = System.nanoTime();
            if (now - lastPrint < 3_000_000_000L && p.objectsDone() < p.objectsTotal()) {
                return;
            }
            lastPrint = now;
            terminal.out().printf(Locale.ROOT, "  %d of %d objects, %.1f of %.1f MB, %.1f MB/s%n", p.objectsDone(),
                    p.objectsTotal(), p.bytesDone() / 1e6, p.bytesTotal() / 1e6, p.bytesPerSecond() / 1e6);
        }

        @Override
        public void snapshots(int done, int total) {
            if (done == total || done % 50 == 0) {
                terminal.out().printf("  %d of %d snapshots%n", done, total);
            }
        }
    }
}
