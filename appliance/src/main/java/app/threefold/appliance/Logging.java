package app.threefold.appliance;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Adds the log file {@code DIR/logs/threefold.log} (rolled daily and at 20 MB, 30 days, 500 MB in
 * all) once a command knows its data directory. Commands without one (`restore --repo`, `--help`)
 * log to the console only, so they never leave a {@code logs} folder wherever they were run.
 */
final class Logging {

    private static final String APPENDER = "FILE";

    private Logging() {
    }

    static void useDataDir(Path dataDir) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        // A second command in one JVM (tests) moves the file rather than writing to both.
        Appender<ILoggingEvent> previous = root.getAppender(APPENDER);
        if (previous != null) {
            root.detachAppender(previous);
            previous.stop();
        }
        Path dir = dataDir.resolve("logs");
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setName(APPENDER);
        file.setFile(dir.resolve("threefold.log").toString());

        SizeAndTimeBasedRollingPolicy<ILoggingEvent> rolling = new SizeAndTimeBasedRollingPolicy<>();
        rolling.setContext(context);
        rolling.setParent(file);
        rolling.setFileNamePattern(dir.resolve("threefold.%d{yyyy-MM-dd}.%i.log.gz").toString());
        rolling.setMaxFileSize(FileSize.valueOf("20MB"));
        rolling.setMaxHistory(30);
        rolling.setTotalSizeCap(FileSize.valueOf("500MB"));
        rolling.start();

        OneLineEncoder encoder = new OneLineEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger - %msg%n%ex");
        encoder.start();

        file.setRollingPolicy(rolling);
        file.setEncoder(encoder);
        file.start();
        root.addAppender(file);
    }
}
