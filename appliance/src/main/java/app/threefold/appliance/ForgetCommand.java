package app.threefold.appliance;

import app.threefold.audit.AuditLog;
import app.threefold.account.PasswordHasher;
import app.threefold.device.ArchivedDevices;
import app.threefold.device.Devices;
import app.threefold.engine.Engine;
import app.threefold.jobs.Jobs;
import app.threefold.retention.Candidate;
import app.threefold.retention.KeepPolicy;
import app.threefold.retention.Plan;
import app.threefold.retention.Retention;
import app.threefold.retention.Span;
import app.threefold.sources.LocalSources;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code threefold forget}: removes a device's snapshots that its policy (or the given one) lets go. */
@Command(name = "forget", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Forget a device's or local source's snapshots by its retention policy, or by the --keep-*",
                "options given (restic's meaning). The newest snapshot and pinned ones are always kept.",
                "The data only they reached stays until `threefold prune`. Run while serve is stopped."})
final class ForgetCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xxx");

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The appliance's data directory.")
    Path dataDir;

    @Option(names = "--device", paramLabel = "NAME", required = true, description = "The device or local source.")
    String device;

    @Option(names = "--keep-last", paramLabel = "N", description = "Keep the last N snapshots.")
    Integer last;
    @Option(names = "--keep-hourly", paramLabel = "N", description = "Keep the newest snapshot of each of the last N hours.")
    Integer hourly;
    @Option(names = "--keep-daily", paramLabel = "N", description = "Keep the newest snapshot of each of the last N days.")
    Integer daily;
    @Option(names = "--keep-weekly", paramLabel = "N", description = "Keep the newest snapshot of each of the last N weeks.")
    Integer weekly;
    @Option(names = "--keep-monthly", paramLabel = "N", description = "Keep the newest snapshot of each of the last N months.")
    Integer monthly;
    @Option(names = "--keep-yearly", paramLabel = "N", description = "Keep the newest snapshot of each of the last N years.")
    Integer yearly;
    @Option(names = "--keep-within", paramLabel = "DURATION", description = "Keep every snapshot within DURATION (e.g. 48h, 90d, 1y6m) of the newest.")
    String within;

    @Option(names = "--dry-run", description = "Only show what would be forgotten and why the rest stays.")
    boolean dryRun;

    private final Terminal terminal;

    ForgetCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        KeepPolicy given = given();
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null), terminal.env());
        Logging.useDataDir(config.dataDir());
        Retention.Result result;
        try (InstanceLock lock = InstanceLock.acquire(config.dataDir());
             CatalogDatabase database = CatalogDatabase.open(config);
             Engine engine = Engine.open(config.dataDir(), database.catalog(), Clock.systemUTC());
             Jobs jobs = new Jobs(database.catalog().jdbi(), Clock.systemUTC())) {
            var jdbi = database.catalog().jdbi();
            AuditLog audit = new AuditLog(jdbi, Clock.systemUTC());
            // The live devices and local sources, as serve knows them: one without snapshots yet has
            // nothing to forget, it is not unknown.
            Devices devices = new Devices(jdbi, PasswordHasher.standard(), Clock.systemUTC());
            LocalSources sources = new LocalSources(jdbi, jobs, () -> Optional.of(engine), audit, config.dataDir(),
                    Clock.systemUTC(), ZoneOffset.UTC);
            Retention retention = new Retention(jdbi, () -> Optional.of(engine), new ArchivedDevices(jdbi), () -> {
                List<String> names = new ArrayList<>(devices.names());
                sources.list().forEach(source -> names.add(source.name()));
                return names;
            }, audit, Clock.systemUTC());
            result = retention.forget(device, given, dryRun, "cli");
        }
        print(result);
        return 0;
    }

    private KeepPolicy given() {
        if (last == null && hourly == null && daily == null && weekly == null && monthly == null && yearly == null && within == null) {
            return null;
        }
        for (Integer n : new Integer[] {last, hourly, daily, weekly, monthly, yearly}) {
            if (n != null && n < 0) {
                throw new CommandRefusedException("a --keep-* count cannot be negative; leave the option out to turn the rule off");
            }
        }
        try {
            return new KeepPolicy(n(last), n(hourly), n(daily), n(weekly), n(monthly), n(yearly), Span.parse(within));
        } catch (RuntimeException e) {
            throw new CommandRefusedException("--keep-within " + within + ": " + e.getMessage(), e);
        }
    }

    private static int n(Integer v) {
        return v == null ? 0 : v;
    }

    private void print(Retention.Result r) {
        Plan plan = r.plan();
        var out = terminal.out();
        out.printf("%s: %s%n", plan.hostname(), plan.policy().describe());
        out.printf("%s %d of %d snapshots:%n", r.dryRun() ? "Would forget" : "Forgot", plan.forget().size(),
                plan.forget().size() + plan.keep().size());
        for (Candidate c : plan.forget()) {
            out.printf("  - %s  %s%s%n", c.id().substring(0, 8), TIME.format(c.time()), c.label().isEmpty() ? "" : "  \"" + c.label() + "\"");
        }
        out.printf("Keeping %d:%n", plan.keep().size());
        for (Plan.Kept k : plan.keep()) {
            Candidate c = k.snapshot();
            out.printf("  + %s  %s  %s%s%n", c.id().substring(0, 8), TIME.format(c.time()), String.join(", ", k.reasons()),
                    c.label().isEmpty() ? "" : "  \"" + c.label() + "\"");
        }
        if (!r.dryRun() && !r.removed().isEmpty()) {
            out.println("Run `threefold prune` to give the space back.");
        }
    }
}
