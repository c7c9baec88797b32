package app.threefold.appliance;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code threefold serve}: runs the appliance until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run the appliance: web UI and API, SFTP for devices, embedded PostgreSQL unless"
                + " THREEFOLD_DATABASE_URL is set.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory (default: $THREEFOLD_DATA_DIR or ./data).")
    Path dataDir;

    @Option(names = "--http-port", paramLabel = "N", description = "HTTP port (default 8080; 0 picks a free one).")
    Integer httpPort;

    @Option(names = "--sftp-port", paramLabel = "N", description = "SFTP port for devices (default 2222; 0 picks a free one).")
    Integer sftpPort;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default 0.0.0.0, all).")
    String bind;

    private final Terminal terminal;

    ServeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws InterruptedException {
        Config config = ConfigLoader.load(new ConfigLoader.Flags(dataDir, bind, httpPort, sftpPort), terminal.env());
        Logging.useDataDir(config.dataDir());
        Logger log = LoggerFactory.getLogger(ServeCommand.class);
        Appliance appliance = Appliance.start(config, Main.version());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down");
            try {
                appliance.stop();
                log.info("Threefold stopped");
            } finally {
                stopped.countDown();
            }
        }, "threefold-shutdown"));
        terminal.out().println("Threefold is ready at " + url(config.bindAddress(), appliance.httpPort()));
        stopped.await();
        return 0;
    }

    static String url(String bind, int port) {
        boolean anyAddress = bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]");
        String host = anyAddress ? "localhost" : bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
        return "http://" + host + ":" + port + "/";
    }
}
