package app.threefold.appliance;

import app.threefold.account.AccountException;
import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code threefold init}: the non-interactive first run. Checks every input before it changes
 * anything, then creates the catalog, the repository and the first administrator.
 */
@Command(name = "init", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Set up a new appliance: catalog, repository and the first admin.")
final class InitCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "Data directory to set up.")
    Path dataDir;

    @Option(names = "--password-file", paramLabel = "FILE", required = true,
            description = "File holding the repository password (first line).")
    Path passwordFile;

    @Option(names = "--admin-user", paramLabel = "NAME", required = true, description = "Name of the first admin.")
    String adminUser;

    @Option(names = "--admin-password-file", paramLabel = "FILE", required = true,
            description = "File holding the first admin's password (first line).")
    Path adminPasswordFile;

    private final Terminal terminal;

    InitCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null), terminal.env());
        char[] repositoryPassword = readSecret(passwordFile, "--password-file");
        char[] adminPassword = readSecret(adminPasswordFile, "--admin-password-file");
        try {
            Accounts.checkNewAdmin(adminUser, adminPassword);
        } catch (AccountException e) {
            throw new CommandRefusedException(e.getMessage(), e);
        }
        Logging.useDataDir(config.dataDir());
        Logger log = LoggerFactory.getLogger(InitCommand.class);
        try (InstanceLock lock = InstanceLock.acquire(config.dataDir());
             CatalogDatabase database = CatalogDatabase.open(config)) {
            Accounts accounts = new Accounts(database.catalog().jdbi(), PasswordHasher.standard(), Clock.systemUTC());
            if (accounts.anyAdminExists()) {
                throw new CommandRefusedException(config.dataDir() + " is already set up (it has an admin);"
                        + " nothing was changed. Use another --data-dir to start afresh.");
            }
            createRepository(config.dataDir().resolve("repository"), repositoryPassword);
            accounts.createAdmin(adminUser, adminPassword);
            log.info("Initialised {} with admin '{}'", config.dataDir(), adminUser);
        }
        terminal.out().println("Threefold is set up in " + config.dataDir() + " with admin '" + adminUser
                + "'. Start it with: threefold serve --data-dir " + config.dataDir());
        return 0;
    }

    /**
     * Creates the restic-format repository in {@code repositoryDir}, encrypted with {@code password}.
     * The engine fills this in (repository format issue); until then no repository is written and
     * {@code /healthz} reports the repository as {@code missing}.
     */
    void createRepository(Path repositoryDir, char[] password) {
        LoggerFactory.getLogger(InitCommand.class).warn(
                "This build has no repository engine yet; {} was not created", repositoryDir);
    }

    private static char[] readSecret(Path file, String option) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandRefusedException("Cannot read " + option + " " + file + " (" + e + ");"
                    + " create it with the password on its first line.", e);
        }
        String firstLine = content.lines().findFirst().orElse("");
        if (firstLine.isEmpty()) {
            throw new CommandRefusedException(option + " " + file + " is empty; put the password on its first line.");
        }
        return firstLine.toCharArray();
    }
}
