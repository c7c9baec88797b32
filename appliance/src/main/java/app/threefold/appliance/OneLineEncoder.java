package app.threefold.appliance;

import app.threefold.audit.OneLine;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.pattern.PatternLayoutEncoderBase;
import java.util.Arrays;
import java.util.List;

/**
 * The pattern encoder of every appender of the appliance (console and {@code threefold.log}): one
 * event is one line, because the message ({@code %msg}) and the messages of exceptions
 * ({@code %ex}) have their control characters escaped ({@link OneLine}). Log lines often quote
 * what strangers typed (an SSH user name, a file name); a newline in it must not forge a line.
 * Patterns must name {@code %ex} themselves (logback would otherwise append its own, unescaped).
 */
public final class OneLineEncoder extends PatternLayoutEncoderBase<ILoggingEvent> {

    @Override
    public void start() {
        PatternLayout layout = new PatternLayout();
        layout.setContext(getContext());
        layout.setPattern(getPattern());
        layout.setOutputPatternAsHeader(outputPatternAsHeader);
        for (String word : List.of("m", "msg", "message")) {
            layout.getInstanceConverterMap().put(word, EscapedMessage::new);
        }
        for (String word : List.of("ex", "exception", "throwable")) {
            layout.getInstanceConverterMap().put(word, EscapedThrowable::new);
        }
        layout.start();
        this.layout = layout;
        super.start();
    }

    /** {@code %msg} with its control characters escaped. */
    static final class EscapedMessage extends MessageConverter {
        @Override
        public String convert(ILoggingEvent event) {
            return OneLine.escape(event.getFormattedMessage());
        }
    }

    /** {@code %ex}: the stack trace keeps its lines, but no message of an exception adds any. */
    static final class EscapedThrowable extends ThrowableProxyConverter {
        @Override
        protected String throwableProxyToString(IThrowableProxy tp) {
            return super.throwableProxyToString(new Escaped(tp));
        }
    }

    private record Escaped(IThrowableProxy proxy) implements IThrowableProxy {
        @Override
        public String getMessage() {
            return OneLine.escape(proxy.getMessage());
        }

        @Override
        public String getClassName() {
            return proxy.getClassName();
        }

        @Override
        public StackTraceElementProxy[] getStackTraceElementProxyArray() {
            return proxy.getStackTraceElementProxyArray();
        }

        @Override
        public int getCommonFrames() {
            return proxy.getCommonFrames();
        }

        @Override
        public IThrowableProxy getCause() {
            return proxy.getCause() == null ? null : new Escaped(proxy.getCause());
        }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] suppressed = proxy.getSuppressed();
            return suppressed == null ? null : Arrays.stream(suppressed).map(Escaped::new).toArray(IThrowableProxy[]::new);
        }

        @Override
        public boolean isCyclic() {
            return proxy.isCyclic();
        }
    }
}
