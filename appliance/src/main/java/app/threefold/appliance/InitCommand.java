package app.threefold.appliance;

import app.threefold.ThreefoldException;
import app.threefold.account.AccountException;
import app.threefold.account.Accounts;
import app.threefold.account.PasswordHasher;
import app.threefold.engine.Engine;
import java.io.IOException;
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
    public Integer call() throws IOException {
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, null, null, null), terminal.env());
        char[] repositoryPassword = Secrets.read(passwordFile, "--password-file");
        char[] adminPassword = Secrets.read(adminPasswordFile, "--admin-password-file");
        if (repositoryPassword.length < 8) {
            throw new CommandRefusedException("--password-file " + passwordFile + ": the repository password needs at least"
                    + " 8 characters; it is the one that restores everything, so make it long.");
        }
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
                throw new CommandRefusedException(ThreefoldException.Kind.CONFLICT, config.dataDir() + " is already set up (it has an admin);"
                        + " nothing was changed. Use another --data-dir to start afresh.");
            }
            Engine.create(config.dataDir(), repositoryPassword, database.catalog(), Clock.systemUTC()).close();
            accounts.createAdmin(adminUser, adminPassword);
            log.info("Initialised {} with admin '{}'", config.dataDir(), adminUser);
        }
        terminal.out().println("Threefold is set up in " + config.dataDir() + " with admin '" + adminUser
                + "'. Start it with: threefold serve --data-dir " + config.dataDir());
        return 0;
    }

}
