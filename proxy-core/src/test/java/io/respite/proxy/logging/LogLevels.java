package io.respite.proxy.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.jspecify.annotations.Nullable;

/** Sets a Logback logger's level by name, for tests that also use SLF4J's own {@code Level}. */
final class LogLevels {

    private LogLevels() {}

    /** Sets {@code logger}'s level to {@code level} ({@code ERROR}...), or back to its parent's with null. */
    static void set(Logger logger, @Nullable String level) {
        logger.setLevel(level == null ? null : Level.toLevel(level));
    }
}
