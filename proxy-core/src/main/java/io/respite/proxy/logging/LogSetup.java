package io.respite.proxy.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points Logback, behind SLF4J, at standard error: one line per event, as text
 * ({@value #PATTERN}) or as one JSON object (Logback's {@link JsonEncoder}), from {@code level}
 * up. Replaces whatever configuration Logback found ({@code logback.xml} in the jar, for embedders
 * and tests). For {@code main}, once, before anything logs.
 */
public final class LogSetup {

    /** Time, level, the logger's simple name, the message; an exception's stack after it, when one is logged. */
    public static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";

    /** The logger of Lettuce's cluster topology refresh. */
    private static final String LETTUCE_TOPOLOGY = "io.lettuce.core.cluster.topology";

    private LogSetup() {}

    /** Sets the root logger's level, keeping its appenders: for a configuration reload. */
    public static void level(String level) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Level root = Level.toLevel(level, Level.INFO);
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(root);
        quietLettuceTopology(context, root);
    }

    /**
     * Configures the root logger.
     *
     * @param level {@code error}, {@code warn}, {@code info}, {@code debug} or {@code trace}
     * @param json one JSON object per line instead of text
     */
    public static void configure(String level, boolean json) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder;
        if (json) {
            JsonEncoder jsonEncoder = new JsonEncoder();
            jsonEncoder.setContext(context);
            // The message as written, not its pattern and arguments apart; no logger-context noise.
            jsonEncoder.setWithFormattedMessage(true);
            jsonEncoder.setWithMessage(false);
            jsonEncoder.setWithArguments(false);
            jsonEncoder.setWithContext(false);
            jsonEncoder.start();
            encoder = jsonEncoder;
        } else {
            PatternLayoutEncoder pattern = new PatternLayoutEncoder();
            pattern.setContext(context);
            pattern.setPattern(PATTERN);
            pattern.start();
            encoder = pattern;
        }
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(console);
        quietLettuceTopology(context, root.getLevel());
    }

    /**
     * Lettuce warns of every node it cannot reach in every topology refresh, and respite refreshes
     * up to ten times a second while a node is down: dozens of lines per failover, each saying
     * what respite's own connections to the node already log once. At debug and below they show.
     */
    private static void quietLettuceTopology(LoggerContext context, Level root) {
        context.getLogger(LETTUCE_TOPOLOGY).setLevel(root.isGreaterOrEqual(Level.INFO) ? Level.ERROR : null);
    }
}
