package app.threefold.appliance;

import app.threefold.audit.AuditLog;
import app.threefold.engine.Engine;
import app.threefold.jobs.Job;
import app.threefold.jobs.Jobs;
import app.threefold.jobs.RestoreProofs;
import app.threefold.mirror.Targets;
import app.threefold.sshd.client.MinaSftpBackends;
import app.threefold.proof.Scrubs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code threefold scrub}: reads every pack of one copy and verifies every blob; on the NAS's own
 * repository a damaged pack is repaired from a target holding a good one. Kept like a scrub in the panel.
 */
@Command(name = "scrub", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Read and verify every pack of a copy; repair the NAS's from its copies (run while serve is stopped).")
final class ScrubCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The appliance's data directory.")
    Path dataDir;

    @Option(names = "--target", paramLabel = "NAME", description = "Scrub this mirror target instead of the NAS's repository.")
    String target;

    private final Terminal terminal;

    ScrubCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null), terminal.env());
        Logging.useDataDir(config.dataDir());
        Clock clock = Clock.systemUTC();
        Scrubs.Outcome outcome;
        try (InstanceLock lock = InstanceLock.acquire(config.dataDir());
             CatalogDatabase database = CatalogDatabase.open(config);
             Engine engine = Engine.open(config.dataDir(), database.catalog(), clock);
             Jobs jobs = new Jobs(database.catalog().jdbi(), clock)) {
            AuditLog audit = new AuditLog(database.catalog().jdbi(), clock);
            Targets targets = new Targets(database.catalog().jdbi(), jobs, () -> Optional.of(engine.repository().backend()),
                    audit, config.dataDir(), clock, ZoneId.systemDefault(), Targets.Settings.DEFAULT, new MinaSftpBackends());
            Scrubs scrubs = new Scrubs(database.catalog().jdbi(), jobs, () -> Optional.of(engine), targets, audit, clock);
            outcome = scrubs.runNow(target == null ? RestoreProofs.LOCAL : target, "cli", new Jobs.ProgressSink() {
                @Override
                public void report(double fraction, String message) {
                }

                @Override
                public void report(long done, long total, Job.Amount.Unit unit, String verb) {
                }
            });
        }
        terminal.out().printf("Scrubbed %s: %d packs, %s read and verified in %s.%n", outcome.copyName(), outcome.packs(),
                Sizes.human(outcome.bytes()), Sizes.seconds(Duration.ofMillis((long) (outcome.seconds() * 1000))));
        for (Map<String, Object> r : outcome.repaired()) {
            terminal.out().printf("repaired: pack %s from %s%n", r.get("pack"), r.get("from"));
        }
        for (Map<String, Object> u : outcome.unrepaired()) {
            terminal.err().printf("damaged: pack %s: %s%n", u.get("pack"), u.get("reason"));
        }
        for (Map<String, Object> a : outcome.affected()) {
            terminal.err().printf("cannot be restored intact: %s %s (snapshot %s)%n", a.get("device"), a.get("path"),
                    String.valueOf(a.get("snapshot")).substring(0, 8));
        }
        return outcome.unrepaired().isEmpty() ? 0 : 1;
    }
}
