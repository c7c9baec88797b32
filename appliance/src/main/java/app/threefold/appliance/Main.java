package app.threefold.appliance;

import app.threefold.ThreefoldException.Kind;
import app.threefold.ThreefoldFailure;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code threefold} command line. Exit status: 0 success, 1 a failure the message explains,
 * 2 a refused command (bad flag or value, data directory in use, already set up); {@link
 * #exitStatus} is the one place that turns a failure's kind into a status.
 */
@Command(name = "threefold", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A backup appliance for a home NAS: SFTP in, restic-format snapshots, mirrors out.")
public final class Main implements Callable<Integer> {

    private final Terminal terminal;

    private Main(Terminal terminal) {
        this.terminal = terminal;
    }

    /** Every subcommand, in help order; adding a command is one line here. */
    private static List<Object> commands(Terminal terminal) {
        return List.of(
                new ServeCommand(terminal),
                new InitCommand(terminal),
                new BackupCommand(terminal),
                new ForgetCommand(terminal),
                new SnapshotsCommand(terminal),
                new RestoreCommand(terminal),
                new CheckCommand(terminal),
                new RecoverCommand(terminal),
                new ScrubCommand(terminal),
                new PruneCommand(terminal));
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one command in this process and returns its exit status; {@code serve} returns only after shutdown. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Terminal terminal = new Terminal(Map.copyOf(env), out, err);
        CommandLine cli = new CommandLine(new Main(terminal));
        commands(terminal).forEach(cli::addSubcommand);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, arguments) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println(command + ": " + e.getMessage() + " (see '" + command + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println(messageOf(e));
            Kind kind = Kind.of(e);
            // A plain I/O failure names its file and cause; only what nobody classified is a defect worth a stack trace.
            if (kind == Kind.INTERNAL && !(e instanceof UncheckedIOException) && !(e instanceof IOException)) {
                LoggerFactory.getLogger(Main.class).error("Unexpected failure", e);
            }
            return exitStatus(kind);
        });
        return cli.execute(args);
    }

    /**
     * 2 when the command was refused before it started: a bad flag or value, or a data directory in a
     * state that forbids it (in use, already set up); 1 for every other failure, whose message says what
     * to do. Scripts tell "fix the invocation" from "it ran and failed" by this.
     */
    static int exitStatus(Kind kind) {
        return switch (kind) {
            case BAD_REQUEST, CONFLICT -> 2;
            case NOT_FOUND, REFUSED, UNAVAILABLE, DAMAGED, INTERNAL -> 1;
        };
    }

    private static String messageOf(Exception e) {
        if (e instanceof ThreefoldFailure) {
            return e.getMessage();
        }
        if (e instanceof IOException io) {
            // The backends' I/O failures name the object or path and what to do (e.g. "not a repository").
            return io.getMessage();
        }
        if (e instanceof UncheckedIOException io) {
            return io.getMessage() + " (" + io.getCause().getMessage() + ")";
        }
        return "Unexpected error: " + e + "; the log under the data directory has the details.";
    }

    /** Without a subcommand: show what there is, as a usage error. */
    @Override
    public Integer call() {
        terminal.err().println("threefold: missing command (see 'threefold --help')");
        return 2;
    }

    /** The version from the jar manifest, or {@code dev} when run from classes. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Threefold " + version()};
        }
    }
}
