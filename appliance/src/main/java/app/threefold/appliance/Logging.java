package app.threefold.appliance;

import java.nio.file.Path;

/** Points the log file at {@code DIR/logs}; must run before the first logger is created. */
final class Logging {

    /** Read by {@code logback.xml}. A system property because Logback configures itself from them. */
    static final String LOG_DIR_PROPERTY = "threefold.logDir";

    private Logging() {
    }

    static void useDataDir(Path dataDir) {
        System.setProperty(LOG_DIR_PROPERTY, dataDir.resolve("logs").toString());
    }
}
